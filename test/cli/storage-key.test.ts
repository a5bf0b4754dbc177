/**
 * One owner of the storage key and of the usability rule: the CLI's profile key is the library's
 * key (storage-key.ts, the protocol's own `storageKey`) plus the profile, for every kind of OAuth
 * target; and `status` calls a login usable exactly when the flow would (isUsable).
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageKeyOf } from '../../src/cli/storage/account.js';
import { targetFields, targetFromArgs, targetProtocolOptions } from '../../src/cli/flows/oauth-target.js';
import type { Profile } from '../../src/cli/storage/profile.js';
import { isUsable } from '../../src/flow/token-codec.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { consumerKeyFingerprint, pocketStorageKey, storageKey } from '../../src/storage-key.js';
import type { TokenSet } from '../../machines/types.js';
import { writeOAuthLogin } from '../helpers/cli-profile.js';
import { runCli } from '../helpers/cli-run.js';

const TARGETS: Array<[string, Record<string, string>]> = [
  ['an issuer', { issuer: 'https://id.example.com' }],
  ['a preset with an issuer', { provider: 'microsoft', tenant: 'organizations' }],
  ['a preset without an issuer', { provider: 'github' }],
  ['endpoints without an issuer', { 'token-endpoint': 'https://as.example.com/oauth/token' }],
  [
    'endpoints with an issuer',
    { issuer: 'https://as.example.com', 'token-endpoint': 'https://as.example.com/oauth/token' },
  ],
];

for (const [kind, flags] of TARGETS) {
  test(`the profile key of ${kind} is the protocol's own key plus the profile`, (t) => {
    const target = targetFromArgs({ values: flags, positionals: [] });
    const profile: Profile = {
      provider: 'oauth2',
      issuer: target.issuer,
      clientId: 'my-cli',
      store: 'file',
      ...targetFields(target),
    };
    const protocol = createOAuth2Protocol({ ...targetProtocolOptions(target), clientId: 'my-cli', scope: 'api' });
    t.is(storageKeyOf(profile, 'work'), `${protocol.storageKey}#profile=work`);
  });
}

test("a Pocket profile's key: the library's rule with the base URL and the profile; no consumer key in it", (t) => {
  const consumerKey = '12345-abcdef0123456789abcdef01';
  const key = storageKeyOf(
    {
      provider: 'pocket',
      baseUrl: 'https://getpocket.com',
      store: 'file',
      keyFingerprint: consumerKeyFingerprint(consumerKey),
    },
    'default',
  );
  t.is(
    key,
    storageKey({
      protocol: 'pocket',
      server: 'https://getpocket.com',
      client: consumerKeyFingerprint(consumerKey),
      profile: 'default',
    }),
  );
  t.is(pocketStorageKey(consumerKey), `pocket:${consumerKeyFingerprint(consumerKey)}`);
  t.false(key.includes(consumerKey));
});

const HOUR = 3_600_000;
const now = Date.now();
const TOKENS: Array<[string, TokenSet]> = [
  ['no expiry', { accessToken: 'a' }],
  ['fresh', { accessToken: 'a', expiresAt: now + HOUR }],
  ['expired, no refresh token', { accessToken: 'a', expiresAt: now - HOUR }],
  ['expired, with a refresh token', { accessToken: 'a', expiresAt: now - HOUR, refreshToken: 'r' }],
  [
    'expired, with a refresh token that expired too',
    { accessToken: 'a', expiresAt: now - HOUR, refreshToken: 'r', refreshExpiresAt: now - 1_000 },
  ],
  [
    'expired, with a refresh token still good',
    { accessToken: 'a', expiresAt: now - HOUR, refreshToken: 'r', refreshExpiresAt: now + HOUR },
  ],
];

for (const [kind, token] of TOKENS) {
  test(`status agrees with the flow on a token with ${kind}`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'authmachine-status-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const env = { HOME: dir, AUTHMACHINE_CONFIG_DIR: join(dir, 'config'), PATH: process.env['PATH'] };
    await writeOAuthLogin(env.AUTHMACHINE_CONFIG_DIR, { issuer: 'https://id.example.com', clientId: 'cli', token });
    const usable = isUsable(token, Date.now());
    const run = await runCli(['status', '--json'], env).result;
    t.is(run.code, usable ? 0 : 3, run.stderr);
    t.is(JSON.parse(run.stdout).loggedIn, usable);
  });
}
