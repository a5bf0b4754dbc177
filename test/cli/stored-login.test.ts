/**
 * Commands that use a stored login and never start one (token, call, items, add, archive) decide
 * by one rule and say it in one shape: no saved profile, or no login left in its store, is
 * ERR_NOT_LOGGED_IN; a login the provider refuses (a revoked refresh token at the real
 * oidc-provider, an access token the Pocket emulator does not know) is ERR_TOKEN_INVALID. Both
 * exit 3 and end with the exact login command, `--profile NAME` included for a named profile.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore } from '../../adapters/file-store.js';
import { startPocketEmulator } from '../../src/pocket/emulator/server.js';
import { storageKeyOf } from '../../src/cli/storage/account.js';
import { readProfile } from '../../src/cli/storage/profile.js';
import { writeOAuthLogin, writePocketLogin } from '../helpers/cli-profile.js';
import { runCli } from '../helpers/cli-run.js';
import { CLIENT_ID, startOidcServer } from '../helpers/oidc-server.js';

async function configDir(t: ExecutionContext) {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-stored-login-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return { dir, env: { HOME: dir, AUTHMACHINE_CONFIG_DIR: dir, PATH: process.env['PATH'] ?? '' } };
}

async function servers(t: ExecutionContext) {
  const oidc = await startOidcServer();
  t.teardown(() => oidc.close());
  const pocket = await startPocketEmulator({ approval: 'auto-approve' });
  t.teardown(() => pocket.close());
  return { oidc, pocket };
}

type Servers = Awaited<ReturnType<typeof servers>>;

/** Each command, the kind of login it uses, and its arguments. */
const commands = (s: Servers): Array<{ kind: 'oauth' | 'pocket'; argv: string[] }> => [
  { kind: 'oauth', argv: ['token'] },
  { kind: 'oauth', argv: ['call', s.oidc.resourceUrl] },
  { kind: 'pocket', argv: ['items'] },
  { kind: 'pocket', argv: ['add', 'https://example.com/a'] },
  { kind: 'pocket', argv: ['archive', '42'] },
];

/** A login the provider will refuse: an expired access token with a refresh token it never issued; a Pocket token it does not know. */
async function refusedLogin(dir: string, s: Servers, kind: 'oauth' | 'pocket', profile: string) {
  if (kind === 'oauth')
    await writeOAuthLogin(dir, {
      issuer: s.oidc.issuer,
      clientId: CLIENT_ID,
      profile,
      token: { accessToken: 'expired-access', refreshToken: 'never-issued-refresh', expiresAt: Date.now() - 60_000 },
    });
  else
    await writePocketLogin(dir, {
      baseUrl: s.pocket.url,
      consumerKey: s.pocket.consumerKey,
      accessToken: 'dcba4321-dcba-4321-dcba-4321dc',
      username: 'demo',
      profile,
    });
}

/** How the profile is chosen: by flag, by environment variable, or the default. */
const choices = [
  {
    profile: 'work',
    how: '--profile',
    argv: ['--profile', 'work'],
    env: {},
    command: 'authmachine login --profile work',
  },
  {
    profile: 'home',
    how: '$AUTHMACHINE_PROFILE',
    argv: [],
    env: { AUTHMACHINE_PROFILE: 'home' },
    command: 'authmachine login --profile home',
  },
  { profile: 'default', how: 'default', argv: [], env: {}, command: 'authmachine login' },
];

test('a refused login ends with the exact login command of its profile, in every command', async (t) => {
  const s = await servers(t);
  for (const choice of choices) {
    for (const { kind, argv } of commands(s)) {
      const { dir, env } = await configDir(t);
      await refusedLogin(dir, s, kind, choice.profile);
      const run = await runCli([...argv, ...choice.argv], { ...env, ...choice.env }).result;
      const said = `${argv[0]} (${choice.how}): ${run.stderr}`;
      t.is(run.code, 3, said);
      const lines = run.stderr.split('\n');
      t.deepEqual(lines.length, 2, `one line, no second hint: ${said}`);
      t.regex(lines[0]!, /^authmachine: .+\. To log in again, run `[^`]+`\. \(ERR_TOKEN_INVALID[^)]*\)$/, said);
      t.true(lines[0]!.includes(`To log in again, run \`${choice.command}\`.`), said);
      t.is(run.stdout, '', said);

      // The refused login was removed: the next run says it has ended, by the same rule.
      const next = await runCli([...argv, ...choice.argv], { ...env, ...choice.env }).result;
      t.is(next.code, 3, next.stderr);
      t.is(
        next.stderr,
        `authmachine: The login${choice.profile === 'default' ? '' : ` (profile ${choice.profile})`} has expired or ended. Run \`${choice.command}\`. (ERR_NOT_LOGGED_IN)\n`,
        `${argv[0]} (${choice.how}) after the refusal`,
      );
    }
  }
});

test('no saved profile: every command says the same, exit 3', async (t) => {
  const s = await servers(t);
  const { env } = await configDir(t);
  for (const choice of choices) {
    for (const { argv } of commands(s)) {
      const run = await runCli([...argv, ...choice.argv], { ...env, ...choice.env }).result;
      t.is(run.code, 3, run.stderr);
      t.is(
        run.stderr,
        `authmachine: Not logged in${choice.profile === 'default' ? '' : ` (profile ${choice.profile})`}. Run \`${choice.command}\`. (ERR_NOT_LOGGED_IN)\n`,
        `${argv[0]} (${choice.how})`,
      );
    }
  }
});

test('a saved profile whose store holds no login: every command says it has ended, exit 3', async (t) => {
  const s = await servers(t);
  for (const { kind, argv } of commands(s)) {
    const { dir, env } = await configDir(t);
    await refusedLogin(dir, s, kind, 'work');
    const profile = await readProfile(env, 'work');
    t.truthy(profile);
    t.true(await new FileTokenStore({ path: join(dir, 'tokens.json') }).delete(storageKeyOf(profile!, 'work')));
    const run = await runCli([...argv, '--profile', 'work'], env).result;
    t.is(run.code, 3, run.stderr);
    t.is(
      run.stderr,
      'authmachine: The login (profile work) has expired or ended. Run `authmachine login --profile work`. (ERR_NOT_LOGGED_IN)\n',
      argv[0],
    );
  }
});
