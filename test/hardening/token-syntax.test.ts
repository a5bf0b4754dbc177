/**
 * Tokens are 1*VSCHAR (RFC 6749 Appendix A.12, A.17): a token with a line break, a control
 * character or non-ASCII would split the header it is sent in, or the line a tool reads it from
 * (`Authorization: Bearer $(authmachine token)`). Such a token is refused where it arrives (an
 * OAuth token response, Pocket's exchange) without echoing it, and a stored one is unreadable, so
 * `authmachine token` (fast path and full CLI) never prints it.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError } from '../../adapters/errors.js';
import { FileTokenStore } from '../../adapters/file-store.js';
import { decodeTokenSet, encodeTokenSet } from '../../src/flow/token-codec.js';
import { parseAccessTokenResponse } from '../../src/oauth2/token-endpoint.js';
import { createPocketProtocol } from '../../src/pocket/protocol.js';
import { printFreshStoredToken } from '../../src/cli/token-fast-path.js';
import { isTokenSyntax } from '../../src/token-syntax.js';
import { writeOAuthLogin } from '../helpers/cli-profile.js';
import { capturedIO, runCli } from '../helpers/cli-run.js';
import { FakePocketHttp, jsonReply } from '../helpers/pocket-fake-http.js';
import { BASE_URL, CONSUMER_KEY, REQUEST_TOKEN, protocolContext } from '../pocket/fixtures.js';

const BAD = ['tok\nX-Injected: 1', 'tok\r\n', 'tok\tabc', 'tok\u0000', 'tok\u007f', 'tök', 'tok\u2028'];
const EVERY_VSCHAR = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

test('VSCHAR: every visible ASCII character and space, nothing else', (t) => {
  t.true(isTokenSyntax(EVERY_VSCHAR));
  t.true(isTokenSyntax('abc.DEF-123_~+/='));
  for (const bad of BAD) t.false(isTokenSyntax(bad), JSON.stringify(bad));
  t.false(isTokenSyntax(''));
});

test('an OAuth token response with a bad access, refresh or ID token is ERR_BAD_RESPONSE naming the member, not its value', (t) => {
  const good = { access_token: 'a', token_type: 'Bearer', refresh_token: 'r', id_token: 'h.p.s' };
  t.is(parseAccessTokenResponse({ ...good, access_token: EVERY_VSCHAR }, 0).accessToken, EVERY_VSCHAR);
  for (const member of ['access_token', 'refresh_token', 'id_token']) {
    for (const bad of BAD) {
      const error = t.throws(() => parseAccessTokenResponse({ ...good, [member]: bad }, 0), { instanceOf: AuthError });
      t.is(error!.code, 'ERR_BAD_RESPONSE');
      t.true(error!.message.includes(`"${member}"`), error!.message);
      t.false(error!.message.includes(bad), 'the value was echoed');
    }
  }
});

test("Pocket's exchange refuses an access token with a bad character, without echoing it", async (t) => {
  for (const bad of BAD) {
    const http = new FakePocketHttp({ '/v3/oauth/authorize': jsonReply({ access_token: bad, username: 'u' }) });
    const protocol = createPocketProtocol({ consumerKey: CONSUMER_KEY, baseUrl: BASE_URL });
    const error = await t.throwsAsync(
      protocol.exchange(protocolContext(http), {
        session: { state: null, requestToken: REQUEST_TOKEN, redirectUri: 'http://127.0.0.1:1/callback' },
        callback: { kind: 'confirmed' },
      }),
      { instanceOf: AuthError },
    );
    t.is(error!.code, 'ERR_BAD_RESPONSE');
    t.false(error!.message.includes(bad));
  }
});

test('a stored token with a bad character is unreadable: `token` prints nothing (fast path and full CLI), exit 7', async (t) => {
  for (const member of ['accessToken', 'refreshToken', 'idToken'] as const) {
    const token = {
      accessToken: 'access-ok',
      refreshToken: 'refresh-ok',
      idToken: 'h.p.s',
      expiresAt: Date.now() + 3_600_000,
    };
    const planted = { ...token, [member]: 'tok\nexport EVIL=1' };
    t.throws(() => decodeTokenSet(encodeTokenSet(planted), 'here'), { instanceOf: AuthError, message: /unreadable/ });

    const dir = await mkdtemp(join(tmpdir(), 'authmachine-token-syntax-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const tokenFile = await writeOAuthLogin(dir, { issuer: 'http://127.0.0.1:9', clientId: 'cli', token });
    // Planted under the same key, as a tampered or foreign-written file would hold it.
    const store = new FileTokenStore({ path: tokenFile });
    const [key] = Object.keys(JSON.parse(await readFile(tokenFile, 'utf8')));
    await store.set(key!, encodeTokenSet(planted));
    const env = { HOME: dir, AUTHMACHINE_CONFIG_DIR: dir, PATH: process.env['PATH'] ?? '' };
    const { io } = capturedIO(env);
    t.is(await printFreshStoredToken(['--id-token'], io), null);
    t.is(await printFreshStoredToken([], io), null);
    for (const argv of [['token'], ['token', '--id-token'], ['token', '--format', 'env']]) {
      const run = await runCli(argv, env).result;
      t.is(run.code, 7, `${member} ${argv.join(' ')}: ${run.stderr}`);
      t.is(run.stdout, '');
      t.false(run.stderr.includes('EVIL'));
    }
  }
});
