/**
 * Every error in pocket-api.md reaching the person through the CLI: the AuthError code (and
 * Pocket's code) on stderr, a message that says what to do, and the exit code scripts branch on.
 * The emulator produces every error a correct client can meet; a scripted server produces the
 * OAuth errors only a broken client could cause (138, 140, 181, 182, 185, 159).
 */
import test, { type ExecutionContext } from 'ava';
import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { consumerKeyFingerprint } from '../../src/storage-key.js';
import { pocketLoginKey } from '../helpers/cli-profile.js';
import {
  startPocketEmulator,
  type PocketEmulator,
  type PocketEmulatorOptions,
} from '../../src/pocket/emulator/index.js';
import { cliSandbox, followLikeABrowser, keychainEntries, runLoginVisiting, type CliSandbox } from '../helpers/cli.js';

async function emulatorFor(t: ExecutionContext, options: PocketEmulatorOptions = {}): Promise<PocketEmulator> {
  const emulator = await startPocketEmulator({ approval: 'auto-approve', ...options });
  t.teardown(() => emulator.close());
  return emulator;
}

/** A logged-in sandbox against `emulator` (with `consumerKey`, default the emulator's own). */
async function loggedIn(
  t: ExecutionContext,
  emulator: PocketEmulator,
  consumerKey = emulator.consumerKey,
): Promise<CliSandbox> {
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: consumerKey });
  const login = await runLoginVisiting(sb, ['login', '--base-url', emulator.url], followLikeABrowser);
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
  return sb;
}

/** The stored token entry of a sandbox's Pocket login. */
async function tokenEntry(sb: CliSandbox, consumerKey: string): Promise<string | undefined> {
  // The login of this consumer key, whatever base URL it was made against (default profile).
  const fingerprint = consumerKeyFingerprint(consumerKey);
  return (await keychainEntries(sb.service)).find(
    (e) => e.account.startsWith('pocket:') && e.account.endsWith(`#${fingerprint}#profile=default`),
  )?.password;
}

function assertNoSecrets(t: ExecutionContext, sb: CliSandbox, ...secrets: string[]): void {
  const printed = sb.printed.join('\n');
  for (const secret of secrets) t.false(printed.includes(secret), 'a secret was printed');
}

// ---- login ---------------------------------------------------------------------------------

test('unknown consumer key (152) at login: exit 8, says where the key came from, nothing saved', async (t) => {
  const emulator = await emulatorFor(t);
  const badKey = '12345-abcdefabcdefabcdefabcdef';
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: badKey });
  const result = await sb.run(['login', '--base-url', emulator.url]);
  t.is(result.code, 8);
  t.regex(result.stderr, /Pocket does not recognise this consumer key\./);
  t.regex(result.stderr, /AUTHMACHINE_POCKET_CONSUMER_KEY/);
  t.regex(result.stderr, /\(ERR_INVALID_CLIENT, provider code 152\)/);
  t.notRegex(result.stderr, /--consumer-key\b(?!-file)/, 'no option that does not exist');
  t.false(existsSync(join(sb.env['AUTHMACHINE_CONFIG_DIR']!, 'profiles', 'default.json')));
  t.deepEqual(await keychainEntries(sb.service), []);

  const keyFile = join(sb.dir, 'key');
  writeFileSync(keyFile, badKey);
  const fromFile = await sb.run(['login', '--base-url', emulator.url, '--consumer-key-file', keyFile]);
  t.is(fromFile.code, 8);
  t.true(fromFile.stderr.includes(`--consumer-key-file ${keyFile}`));
  assertNoSecrets(t, sb, badKey);
});

test('declined (158) -> exit 4; nothing stored', async (t) => {
  const emulator = await emulatorFor(t, { approval: 'auto-decline' });
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });
  const result = await runLoginVisiting(sb, ['login', '--base-url', emulator.url], followLikeABrowser);
  t.is(result.code, 4);
  t.regex(result.stderr, /Access was declined in the browser.*\(ERR_DECLINED, provider code 158\)/);
  t.deepEqual(await keychainEntries(sb.service), []);
  t.is((await sb.run(['status'])).code, 3);
  assertNoSecrets(t, sb, emulator.consumerKey);
});

test('nobody approves within --timeout 1 -> exit 5', async (t) => {
  const emulator = await emulatorFor(t, { approval: 'page' });
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });
  const result = await sb.run(['login', '--base-url', emulator.url, '--timeout', '1']);
  t.is(result.code, 5);
  t.regex(result.stderr, /Waiting for you to approve access \(0:01 left/);
  t.regex(result.stderr, /Nobody completed the login in the browser in time\. Run the login again\. \(ERR_TIMEOUT\)\n/);
  t.is(result.stderr.match(/run the login again/gi)?.length, 1, 'the advice is given once');
  t.deepEqual(await keychainEntries(sb.service), []);
});

test('5xx / 199 on the token request: retried with notice, then exit 6 once the tries are spent', async (t) => {
  const emulator = await emulatorFor(t);
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });
  emulator.failNext('/v3/oauth/request', { status: 503 }, { times: 3 });
  const failed = await sb.run(['login', '--base-url', emulator.url]);
  t.is(failed.code, 6);
  t.is(emulator.pendingFaults('/v3/oauth/request'), 0);
  t.is(failed.stderr.match(/Pocket did not answer as expected \(ERR_SERVER\); retrying/g)?.length, 2);
  t.regex(failed.stderr, /Pocket reported a server problem\. Try again later\. \(ERR_SERVER, provider code 199\)/);

  // One failure is absorbed by a retry: the login succeeds.
  emulator.failNext('/v3/oauth/request', { status: 500 });
  const recovered = await runLoginVisiting(sb, ['login', '--base-url', emulator.url], followLikeABrowser);
  t.is(recovered.code, 0, recovered.stderr);
  t.regex(recovered.stderr, /retrying in 0\.5 s \(try 2\)/);
});

test('5xx on the exchange: exit 6 (try later); an HTML page and a truncated answer: exit 10 (check the URL or what is in between), no "try later"', async (t) => {
  const emulator = await emulatorFor(t);
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });
  emulator.failNext('/v3/oauth/authorize', { status: 502 }, { times: 3 });
  const exchange = await runLoginVisiting(sb, ['login', '--base-url', emulator.url], followLikeABrowser);
  t.is(exchange.code, 6);
  t.regex(exchange.stderr, /\(ERR_SERVER, provider code 199\)/);

  emulator.failNext('/v3/oauth/request', { html: true });
  const html = await sb.run(['login', '--base-url', emulator.url]);
  t.is(html.code, 10);
  t.regex(html.stderr, /\(ERR_BAD_RESPONSE\)\nCheck the URL/);
  t.notRegex(html.stderr, /try again later/);

  emulator.failNext('/v3/oauth/request', { malformed: true });
  const malformed = await sb.run(['login', '--base-url', emulator.url]);
  t.is(malformed.code, 10);
  t.regex(malformed.stderr, /\(ERR_BAD_RESPONSE\)/);
  t.deepEqual(await keychainEntries(sb.service), []);
});

test('network refused (emulator closed): login and items exit 6', async (t) => {
  const emulator = await emulatorFor(t);
  const sb = await loggedIn(t, emulator);
  await emulator.close();
  const items = await sb.run(['items']);
  t.is(items.code, 6);
  t.regex(items.stderr, /\(ERR_NETWORK\)\nCheck the connection/);
  t.is((await sb.run(['status'])).code, 0, 'an unreachable server does not cost the login');
  const login = await sb.run(['login', '--base-url', emulator.url, '--force']);
  t.is(login.code, 6);
  t.regex(login.stderr, /\(ERR_NETWORK\)/);
});

// ---- data calls ------------------------------------------------------------------------------

test('rate limit (403, no code, X-Limit-User-Remaining: 0) -> exit 6 with when to retry; the login is kept', async (t) => {
  // A still clock: the window's reset is exactly its length, whatever the machine's load.
  const emulator = await emulatorFor(t, { rateLimits: { userLimit: 2 }, clock: { now: () => Date.UTC(2026, 0, 1) } });
  const sb = await loggedIn(t, emulator);
  t.is((await sb.run(['items'])).code, 0);
  t.is((await sb.run(['items'])).code, 0);
  const limited = await sb.run(['items']);
  t.is(limited.code, 6);
  t.regex(limited.stderr, /Pocket's rate limit for this user is reached\. Try again in 3600 s\. \(ERR_RATE_LIMITED\)/);
  t.is((await sb.run(['status'])).code, 0);
  t.truthy(await tokenEntry(sb, emulator.consumerKey));
});

test('5xx on data calls -> exit 6, malformed and HTML answers -> exit 10, the login kept', async (t) => {
  const emulator = await emulatorFor(t);
  const sb = await loggedIn(t, emulator);
  emulator.failNext('/v3/get', { status: 503 }, { times: 3 });
  const server = await sb.run(['items']);
  t.is(server.code, 6);
  t.regex(server.stderr, /\(ERR_SERVER, provider code 199\)/);
  emulator.failNext('/v3/get', { status: 503 }, { times: 2 });
  t.is((await sb.run(['items'])).code, 0, 'two failures are absorbed by the retries');
  emulator.failNext('/v3/get', { malformed: true });
  t.is((await sb.run(['items'])).code, 10);
  emulator.failNext('/v3/add', { html: true });
  const html = await sb.run(['add', 'https://example.com/a']);
  t.is(html.code, 10);
  t.regex(html.stderr, /\(ERR_BAD_RESPONSE\)/);
  t.is((await sb.run(['status'])).code, 0);
});

test('107 (unknown token), 137 (token of another key), 136 (unknown key): exit 3 and the stored token cleared', async (t) => {
  const emulator = await emulatorFor(t);
  const key = emulator.consumerKey;
  const sb = await loggedIn(t, emulator);
  const keytar = ((await import('keytar')) as unknown as { default: typeof import('keytar') }).default;
  const storeToken = (consumerKey: string, accessToken: string) =>
    keytar.setPassword(
      sb.service,
      pocketLoginKey(emulator.url, consumerKey),
      JSON.stringify({ v: 1, token: { accessToken, username: 'demo' } }),
    );

  // 107: a token Pocket does not know (revoked, or from an emulator that restarted).
  await storeToken(key, 'dcba4321-dcba-4321-dcba-4321dc');
  const unknown = await sb.run(['items']);
  t.is(unknown.code, 3);
  t.regex(
    unknown.stderr,
    /The stored login is no longer valid and was removed\. To log in again, run `authmachine login`\. \(ERR_TOKEN_INVALID\)\n$/,
  );
  t.notRegex(
    unknown.stderr,
    /Run `authmachine login` again/,
    'the message already says to log in again: no second hint',
  );
  t.is(await tokenEntry(sb, key), undefined);
  t.is((await sb.run(['status'])).code, 3);
  t.is((await sb.run(['items'])).code, 3);

  // 137: a valid token, but issued to another consumer key.
  const otherKeysToken = emulator.issueAccessToken(emulator.issueConsumerKey());
  await storeToken(key, otherKeysToken);
  const mismatch = await sb.run(['add', 'https://example.com/a']);
  t.is(mismatch.code, 3);
  t.is(await tokenEntry(sb, key), undefined);

  // 136: the saved consumer key is unknown to the server (an emulator restarted with new keys).
  const goneKey = '11111-00000000000000000000aaaa';
  const entries = await keychainEntries(sb.service);
  const keyEntry = entries.find((e) => e.account.startsWith('pocket-consumer-key:'))!;
  await keytar.setPassword(sb.service, keyEntry.account, goneKey);
  // The login entry is the profile's (named by the fingerprint saved with it), whatever key is read.
  await storeToken(key, emulator.issueAccessToken());
  const goneKeyRun = await sb.run(['archive', '1519049132']);
  t.is(goneKeyRun.code, 3);
  t.is(await tokenEntry(sb, key), undefined);
  t.is((await sb.run(['status'])).code, 3);
  assertNoSecrets(t, sb, key, goneKey, otherKeysToken);
});

test('130 (bad parameter) -> exit 8; 150 (endpoint forbidden) and 151 (missing permission) -> exit 8', async (t) => {
  const emulator = await emulatorFor(t);
  const readOnly = emulator.issueConsumerKey({ permissions: ['retrieve'], forbiddenEndpoints: ['add'] });
  const sb = await loggedIn(t, emulator, readOnly);

  const bad = await sb.run(['add', 'http://exa mple.com/']);
  t.is(bad.code, 8);
  t.regex(bad.stderr, /\(ERR_FORBIDDEN, provider code 150\)/, 'the forbidden endpoint is checked first');

  const forbidden = await sb.run(['archive', '1519049132']);
  t.is(forbidden.code, 8);
  t.regex(forbidden.stderr, /lacks the permission this call needs.*\(ERR_FORBIDDEN, provider code 151\)/);
  t.is((await sb.run(['items', '--count', '1'])).code, 0, 'retrieve still works; the login is kept');

  const full = await loggedIn(t, emulator);
  const invalid = await full.run(['add', 'http://exa mple.com/']);
  t.is(invalid.code, 8);
  t.regex(invalid.stderr, /Pocket rejected a parameter of this request.*\(ERR_INVALID_REQUEST, provider code 130\)/);
  t.is((await full.run(['status'])).code, 0);
  assertNoSecrets(t, sb, readOnly);
});

// ---- OAuth errors only a broken client could cause, from a scripted server -------------------

interface Script {
  request?: [status: number, code: string, text: string];
  authorize?: [status: number, code: string, text: string];
}

/** A Pocket that answers the token request and redirect normally unless scripted to fail. */
async function scriptedPocket(t: ExecutionContext) {
  let script: Script = {};
  const fail = (response: import('node:http').ServerResponse, [status, code, text]: [number, string, string]) => {
    response.writeHead(status, {
      'Content-Type': 'text/html; charset=UTF-8',
      'X-Error-Code': code,
      'X-Error': text,
      'X-Source': 'Pocket',
    });
    response.end(`${status} ${STATUS_CODES[status]}`);
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    request.resume();
    request.on('end', () => {
      if (url.pathname === '/v3/oauth/request') {
        if (script.request) return fail(response, script.request);
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return response.end('{"code":"dcba4321-dcba-4321-dcba-4321dc","state":null}');
      }
      if (url.pathname === '/auth/authorize') {
        response.writeHead(302, { Location: url.searchParams.get('redirect_uri') ?? '/' });
        return response.end();
      }
      if (url.pathname === '/v3/oauth/authorize' && script.authorize) return fail(response, script.authorize);
      response.writeHead(404);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, set: (next: Script) => (script = next) };
}

test('every OAuth error code of pocket-api.md at login maps to its AuthError and exit code', async (t) => {
  const pocket = await scriptedPocket(t);
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: '12345-abcdefabcdefabcdefabcdef' });
  const rows: Array<[Script, string, string, number]> = [
    [{ request: [400, '138', 'Missing consumer key.'] }, 'ERR_INVALID_CLIENT', '138', 8],
    [{ request: [400, '140', 'Missing redirect url.'] }, 'ERR_INVALID_REQUEST', '140', 8],
    [{ request: [403, '152', 'Invalid consumer key.'] }, 'ERR_INVALID_CLIENT', '152', 8],
    [{ authorize: [400, '138', 'Missing consumer key.'] }, 'ERR_INVALID_CLIENT', '138', 8],
    [{ authorize: [403, '152', 'Invalid consumer key.'] }, 'ERR_INVALID_CLIENT', '152', 8],
    [{ authorize: [400, '181', 'Invalid redirect uri.'] }, 'ERR_INVALID_REQUEST', '181', 8],
    [{ authorize: [400, '182', 'Missing code.'] }, 'ERR_INVALID_REQUEST', '182', 8],
    [{ authorize: [400, '185', 'Code not found.'] }, 'ERR_CODE_INVALID', '185', 8],
    [{ authorize: [403, '158', 'User rejected code.'] }, 'ERR_DECLINED', '158', 4],
    [{ authorize: [403, '159', 'Already used code.'] }, 'ERR_CODE_INVALID', '159', 8],
  ];
  for (const [script, code, providerCode, exit] of rows) {
    pocket.set(script);
    const label = `${Object.keys(script)[0]} ${providerCode}`;
    const result = await runLoginVisiting(sb, ['login', '--base-url', pocket.url], followLikeABrowser);
    t.is(result.code, exit, label);
    t.true(result.stderr.includes(`(${code}, provider code ${providerCode})`), `${label}: ${result.stderr}`);
    t.regex(result.stderr, /\nauthmachine: [A-Z].*\.( |\n)/, label);
    t.false(
      result.stderr.includes(script.request?.[2] ?? script.authorize![2]),
      `${label}: Pocket's X-Error text is not copied`,
    );
  }
  t.deepEqual(await keychainEntries(sb.service), []);
  assertNoSecrets(t, sb, '12345-abcdefabcdefabcdefabcdef');
});
