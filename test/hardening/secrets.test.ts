/**
 * Secrets never leak: with recognisable consumer keys, request tokens, access and refresh
 * tokens, codes, PKCE verifiers and client secrets, run both protocols' flows (successes and
 * failures) and the CLI (in-process and as a child process), and look for every secret in
 * stdout, stderr, files written besides the token store, error messages and util.inspect of
 * every error (cause included), the redacting inspector's output, and the argv of every child
 * process started. The one allowed place: Pocket's request token inside the printed
 * authorization URL (and the browser launcher's argument), which is Pocket's own design.
 */
import childProcess from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inspect, promisify } from 'node:util';
import test from 'ava';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { LoopbackReceiver } from '../../adapters/loopback-receiver.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { createRedactingInspector } from '../../src/inspect/redacting-inspector.js';
import { main } from '../../src/cli/main.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { startPocketEmulator } from '../../src/pocket/emulator/index.js';
import { createPocketProtocol } from '../../src/pocket/index.js';
import { MemoryFlowStore } from '../../adapters/memory-flow-store.js';
import { MemoryLock } from '../../adapters/memory-lock.js';
import { createLoginService } from '../../src/server/index.js';
import { RedisFlowStore } from '../../adapters/redis-flow-store.js';
import { RedisLock } from '../../adapters/redis-lock.js';
import { RedisTokenStore } from '../../adapters/redis-token-store.js';
import { pausableRedis } from '../helpers/redis-server.js';
import { startFaultServer } from './helpers/fault-server.js';
import { authorizationServer, classify } from './helpers/oauth-server.js';
import { fetchingBrowser } from '../helpers/fetching-browser.js';

const runChild = promisify(execFile);

/** Every place a secret must not be found: each error is inspected with its whole cause chain. */
class Haystack {
  readonly parts: Array<[string, string]> = [];
  add(where: string, text: string): void {
    this.parts.push([where, text]);
  }
  error(where: string, error: unknown): void {
    this.add(`${where} (message)`, String((error as Error)?.message));
    this.add(`${where} (inspect)`, inspect(error, { depth: 10, showHidden: true }));
    this.add(`${where} (json)`, JSON.stringify(error));
  }
  /** Where any of the secrets appears. */
  leaks(
    secrets: Record<string, string>,
    allowed: (where: string, line: string, name: string) => boolean = () => false,
  ): string[] {
    const found: string[] = [];
    for (const [where, text] of this.parts) {
      for (const line of text.split('\n')) {
        for (const [name, value] of Object.entries(secrets)) {
          if (value && line.includes(value) && !allowed(where, line, name))
            found.push(`${name} in ${where}: ${line.slice(0, 160)}`);
        }
      }
    }
    return found;
  }
}

function inspector(hay: Haystack, where: string) {
  return createRedactingInspector((event) => hay.add(where, JSON.stringify(event)));
}

test('Pocket flow: no secret in errors, inspector output or emitted events', async (t) => {
  const emulator = await startPocketEmulator({ approval: 'auto-approve' });
  t.teardown(() => emulator.close());
  const consumerKey = emulator.issueConsumerKey({ appName: 'secrets test' });
  const hay = new Haystack();
  const store = new MemoryTokenStore();
  const protocol = createPocketProtocol({ consumerKey, baseUrl: emulator.url, timeoutMs: 15_000 });
  const flow = createAuthFlow({
    protocol,
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    browser: fetchingBrowser,
    store,
    inspect: inspector(hay, 'inspector'),
    config: { maxAttempts: 1 },
  });
  t.teardown(() => flow.stop());
  let requestToken = '';
  flow.on('authorizationUrl', (e) => (requestToken = new URL(e.url).searchParams.get('request_token') ?? ''));
  await flow.login();
  const accessToken = JSON.parse((await store.get(protocol.storageKey))!).token.accessToken as string;
  t.truthy(requestToken);
  t.truthy(accessToken);

  await flow.fetch({ kind: 'get', params: { count: 2 } });
  for (const fault of [
    { malformed: true },
    { html: true },
    { status: 503 },
    { status: 401 },
    { reset: true },
  ] as const) {
    emulator.failNext('/v3/get', fault);
    await flow.fetch({ kind: 'get' }).catch((error: unknown) => hay.error(`get with ${JSON.stringify(fault)}`, error));
    if (flow.state.value === 'failed') {
      hay.add('failed state', JSON.stringify(flow.state));
      await flow.login().catch((error: unknown) => hay.error('re-login', error));
    }
  }
  // A wrong consumer key and a declined login fail with messages that name no key.
  const wrong = createAuthFlow({
    protocol: createPocketProtocol({ consumerKey: `${consumerKey}-wrong`, baseUrl: emulator.url }),
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
  });
  await wrong.login().catch((error: unknown) => hay.error('wrong key', error));
  wrong.stop();

  t.true(hay.parts.length > 10);
  t.true(hay.parts.filter(([where]) => where === 'inspector').length > 20, 'the inspector saw the flow');
  t.deepEqual(hay.leaks({ consumerKey, requestToken, accessToken }), []);
});

test('Login service: no request token, access token or consumer key in its errors, whatever fails', async (t) => {
  const emulator = await startPocketEmulator({ approval: 'auto-approve' });
  t.teardown(() => emulator.close());
  const consumerKey = emulator.issueConsumerKey({ appName: 'secrets test' });
  const hay = new Haystack();
  const flows = new MemoryFlowStore();
  const tokens = new MemoryTokenStore();
  const protocol = createPocketProtocol({ consumerKey, baseUrl: emulator.url, timeoutMs: 15_000 });
  const logins = createLoginService({
    protocol,
    http: new AxiosHttpClient(),
    redirectUri: 'http://127.0.0.1:9/callback',
    flows,
    tokens,
    lock: new MemoryLock(),
    config: { maxAttempts: 1 },
  });
  const approve = async (url: string) =>
    Object.fromEntries(new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!).searchParams);
  const attempt = async (where: string, work: () => Promise<unknown>) => {
    try {
      hay.add(`${where} (result)`, JSON.stringify(await work()));
    } catch (error) {
      hay.error(where, error);
    }
  };

  const begun = await logins.begin('alice');
  const requestToken = new URL(begun.authorizationUrl).searchParams.get('request_token')!;
  const params = await approve(begun.authorizationUrl);
  await attempt('complete', () => logins.complete(params));
  await attempt('replayed callback', () => logins.complete(params));
  const accessToken = JSON.parse((await tokens.get(`${protocol.storageKey}|user:alice`))!).token.accessToken as string;
  t.truthy(requestToken);
  t.truthy(accessToken);
  await attempt('token', async () => ({ ...(await logins.token('alice')), accessToken: 'checked apart' }));

  // A flow record that cannot be read (it holds the request token) is reported without its text.
  await flows.save('broken', `{"v":1,"userId":7,"requestToken":"${requestToken}"`, 60_000);
  await attempt('unreadable flow', () => logins.complete({ state: 'broken', code: requestToken }));
  for (const fault of [
    { malformed: true },
    { html: true },
    { status: 503 },
    { status: 401 },
    { reset: true },
  ] as const) {
    const next = await logins.begin('bob');
    emulator.failNext('/v3/oauth/authorize', fault);
    await attempt(`exchange with ${JSON.stringify(fault)}`, async () =>
      logins.complete(await approve(next.authorizationUrl)),
    );
  }
  await attempt('no login', () => logins.token('carol'));
  await attempt('logout', () => logins.logout('alice'));
  await attempt('wrong key', () =>
    createLoginService({
      protocol: createPocketProtocol({ consumerKey: `${consumerKey}-wrong`, baseUrl: emulator.url }),
      http: new AxiosHttpClient(),
      redirectUri: 'http://127.0.0.1:9/callback',
      flows,
      tokens,
      lock: new MemoryLock(),
    }).begin('dave'),
  );

  t.true(hay.parts.filter(([where]) => where.endsWith('(message)')).length >= 9, 'every failure was seen');
  t.deepEqual(hay.leaks({ consumerKey, requestToken, accessToken }), []);
});

test('Login service on Redis: no code, verifier, token or client secret in a key name, nor in the errors of a replay, a changed flow or a stopped Redis', async (t) => {
  const secrets = { code: 'code-SECRET-9a1b2c', access: 'at-SECRET-3d4e5f', refresh: 'rt-SECRET-6a7b8c' };
  const server = await startFaultServer({
    classify,
    serve: authorizationServer({ resource401Once: false, ...secrets }),
  });
  t.teardown(() => server.close());
  const { connection, pause, resume } = await pausableRedis(t);
  const clientSecret = 'cs-SECRET-4f5e6d';
  const hay = new Haystack();
  const logins = createLoginService({
    protocol: createOAuth2Protocol({
      issuer: server.origin,
      clientId: 'svc',
      clientSecret,
      scope: 'read offline_access',
    }),
    http: new AxiosHttpClient(),
    redirectUri: 'http://127.0.0.1:9/callback',
    flows: new RedisFlowStore(connection),
    tokens: new RedisTokenStore(connection),
    lock: new RedisLock(connection),
    storeTimeoutMs: 500,
    config: { maxAttempts: 1 },
  });
  const attempt = async (where: string, work: () => Promise<unknown>) => {
    try {
      hay.add(`${where} (result)`, JSON.stringify(await work()));
    } catch (error) {
      hay.error(where, error);
    }
  };
  const callback = async (authorizationUrl: string) => {
    const location = (await fetch(authorizationUrl, { redirect: 'manual' })).headers.get('location')!;
    return Object.fromEntries(new URL(location).searchParams);
  };
  const begun = await logins.begin('alice');
  const params = await callback(begun.authorizationUrl);
  await attempt('complete', () => logins.complete(params));
  await attempt('replayed callback', () => logins.complete(params));
  await attempt('token', async () => ({ ...(await logins.token('alice')), accessToken: 'checked apart' }));
  const verifier = String(server.seen.find((r) => r.fields.code_verifier)?.fields.code_verifier);
  t.true(verifier.length >= 43);

  // A kept flow changed in Redis (it holds the verifier), then Redis stopped during every call.
  const changed = await logins.begin('bob');
  const flows = new RedisFlowStore(connection);
  const record = (await connection.get(flows.keyOf(changed.state)))!;
  await connection.set(flows.keyOf(changed.state), record.replace('waitingForRedirect', 'gone'), 'PX', 60_000);
  await attempt('changed flow', async () => logins.complete(await callback(changed.authorizationUrl)));
  const waiting = await logins.begin('carol');
  const carol = await callback(waiting.authorizationUrl);
  hay.add('key names', (await connection.keys('*')).join('\n'));
  pause();
  await attempt('stopped: begin', () => logins.begin('dave'));
  await attempt('stopped: complete', () => logins.complete(carol));
  await attempt('stopped: token', () => logins.token('alice'));
  await attempt('stopped: logout', () => logins.logout('alice'));
  resume();
  await attempt('logout', () => logins.logout('alice'));
  hay.add('key names after', (await connection.keys('*')).join('\n'));

  t.true(hay.parts.filter(([where]) => where.endsWith('(message)')).length >= 6, 'every failure was seen');
  t.deepEqual(hay.leaks({ ...secrets, verifier, clientSecret }), []);
});

test('OAuth flow: no code, verifier, token or client secret in errors or inspector output', async (t) => {
  const secrets = { code: 'code-SECRET-5f1c2a', access: 'at-SECRET-77e0d1', refresh: 'rt-SECRET-0b9a44' };
  const server = await startFaultServer({
    classify,
    serve: authorizationServer({ resource401Once: true, ...secrets }),
  });
  t.teardown(() => server.close());
  const clientSecret = 'cs-SECRET-d00d1e';
  const hay = new Haystack();
  const protocol = createOAuth2Protocol({
    issuer: server.origin,
    clientId: 'secrets-client',
    clientSecret,
    scope: 'read offline_access',
    timeoutMs: 15_000,
  });
  const store = new MemoryTokenStore();
  const flow = createAuthFlow({
    protocol,
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    browser: fetchingBrowser,
    store,
    inspect: inspector(hay, 'inspector'),
  });
  t.teardown(() => flow.stop());
  await flow.login();
  await flow.fetch({ url: `${server.origin}/resource` }); // 401, refresh, retry
  await flow.logout();
  const verifier = String(server.seen.find((r) => r.fields.code_verifier)?.fields.code_verifier);
  const state = String(server.seen.find((r) => r.fields.state)?.fields.state);
  t.true(verifier.length >= 43);

  // Failures whose bodies carry secrets: an error_description echoing the code, a token in junk.
  const honest1 = authorizationServer({ resource401Once: false, ...secrets });
  const echoing = await startFaultServer({
    classify,
    serve: (endpoint, request, s) =>
      endpoint === 'token'
        ? {
            status: 400,
            body: JSON.stringify({
              error: 'invalid_grant',
              error_description: `code ${String(request.fields.code)} verifier ${String(request.fields.code_verifier)} secret ${clientSecret}`,
            }),
          }
        : honest1(endpoint, request, s),
  });
  t.teardown(() => echoing.close());
  const failing = createAuthFlow({
    protocol: createOAuth2Protocol({
      issuer: echoing.origin,
      clientId: 'secrets-client',
      clientSecret,
      scope: 'read',
      timeoutMs: 15_000,
    }),
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    browser: fetchingBrowser,
    inspect: inspector(hay, 'inspector (failing login)'),
  });
  await failing.login().catch((error: unknown) => hay.error('echoing token endpoint', error));
  failing.stop();
  const honest2 = authorizationServer({ resource401Once: false, ...secrets });
  const junk = await startFaultServer({
    classify,
    serve: (endpoint, request, s) =>
      endpoint === 'token'
        ? { status: 200, body: `{"access_token":"${secrets.access}","refresh_token":"${secrets.refresh}",` }
        : honest2(endpoint, request, s),
  });
  t.teardown(() => junk.close());
  const broken = createAuthFlow({
    protocol: createOAuth2Protocol({
      issuer: junk.origin,
      clientId: 'secrets-client',
      scope: 'read',
      timeoutMs: 15_000,
    }),
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    browser: fetchingBrowser,
  });
  await broken.login().catch((error: unknown) => hay.error('truncated token answer', error));
  broken.stop();

  t.true(hay.parts.some(([where]) => where.startsWith('echoing')));
  t.true(hay.parts.filter(([where]) => where === 'inspector').length > 20, 'the inspector saw the flow');
  t.deepEqual(hay.leaks({ ...secrets, refreshed: `${secrets.access}-2`, verifier, clientSecret, state }), []);
});

test('OAuth flow with DPoP: the private key is in no error, inspector output, emitted event or request other than its proofs', async (t) => {
  const secrets = { code: 'code-SECRET-dp0p01', access: 'at-SECRET-dp0p02', refresh: 'rt-SECRET-dp0p03' };
  // DPoP on, and a resource server that never stops asking for a nonce: the flow also fails once.
  const server = await startFaultServer({
    classify,
    serve: authorizationServer({
      resource401Once: false,
      ...secrets,
      dpop: { challenge: { endpoint: 'resource', mode: 'always' } },
    }),
  });
  t.teardown(() => server.close());
  const hay = new Haystack();
  const protocol = createOAuth2Protocol({
    issuer: server.origin,
    clientId: 'secrets-client',
    scope: 'read offline_access',
    timeoutMs: 15_000,
  });
  const store = new MemoryTokenStore();
  const flow = createAuthFlow({
    protocol,
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    browser: fetchingBrowser,
    store,
    inspect: inspector(hay, 'inspector'),
  });
  t.teardown(() => flow.stop());
  flow.on('fetchFailed', (e) => hay.add('fetchFailed event', JSON.stringify(e)));
  await flow.login();
  const stored = JSON.parse((await store.get(protocol.storageKey))!) as {
    token: { tokenType: string; dpopKey: { privateJwk: Record<string, string> } };
  };
  t.is(stored.token.tokenType, 'DPoP');
  const privateKey = stored.token.dpopKey.privateJwk['d']!;
  t.true(privateKey.length >= 43);
  await flow
    .fetch({ url: `${server.origin}/resource` })
    .catch((error: unknown) => hay.error('nonce-challenged resource', error));
  // A damaged key: the error says so without quoting it.
  const damaged = {
    ...stored.token,
    accessToken: secrets.access,
    dpopKey: { alg: 'ES256', privateJwk: { ...stored.token.dpopKey.privateJwk, x: 'AAAA' } },
  };
  await protocol
    .fetch(
      {
        http: new AxiosHttpClient(),
        random: { bytes: (n: number) => new Uint8Array(n).fill(7) },
        clock: { now: () => Date.now() } as never,
        signal: new AbortController().signal,
      },
      { token: damaged as never, request: { url: `${server.origin}/resource` } },
    )
    .catch((error: unknown) => hay.error('damaged key', error));
  // A later process resumes the stored login: its inspector never saw the session, only the token.
  const later = createAuthFlow({
    protocol: createOAuth2Protocol({
      issuer: server.origin,
      clientId: 'secrets-client',
      scope: 'read offline_access',
      timeoutMs: 15_000,
    }),
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    store,
    inspect: inspector(hay, 'inspector (stored login)'),
  });
  t.teardown(() => later.stop());
  t.not(await later.resume(), null);
  await later
    .fetch({ url: `${server.origin}/resource` })
    .catch((error: unknown) => hay.error('nonce-challenged resource, stored login', error));
  later.stop();
  t.true(
    hay.parts.some(([where, text]) => where === 'inspector (stored login)' && text.includes('dpopKey')),
    'the stored login was inspected',
  );
  await flow.logout();
  t.is(await store.get(protocol.storageKey), null, 'logout deleted the key with the tokens');
  // What went over the wire: the key's public half in proofs, never the private one.
  for (const request of server.seen)
    hay.add(`request to ${request.url.pathname}`, `${request.body}\n${JSON.stringify(request.headers)}`);
  t.true(
    server.seen.some((r) => typeof r.headers['dpop'] === 'string'),
    'proofs were sent',
  );
  t.true(hay.parts.some(([where]) => where.startsWith('nonce-challenged')));
  t.true(hay.parts.some(([where]) => where.startsWith('damaged key')));
  t.true(hay.parts.filter(([where]) => where === 'inspector').length > 20, 'the inspector saw the flow');
  t.deepEqual(
    hay.leaks(
      { privateKey, ...secrets },
      (where, _line, name) => name !== 'privateKey' && where.startsWith('request to'),
    ),
    [],
  );
});

test('CLI: login, status, items, add, archive, logout and failures print no secret; child argv holds none', async (t) => {
  const emulator = await startPocketEmulator({ approval: 'page' });
  t.teardown(() => emulator.close());
  const consumerKey = emulator.issueConsumerKey({ appName: 'cli secrets test' });
  const home = await mkdtemp(join(tmpdir(), 'am-secrets-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const tokenFile = join(home, 'tokens.json');
  const env = {
    PATH: process.env['PATH'],
    HOME: home,
    AUTHMACHINE_CONFIG_DIR: join(home, 'config'),
    AUTHMACHINE_POCKET_CONSUMER_KEY: consumerKey,
    DISPLAY: ':99', // so the CLI starts a browser launcher, whose argv we record
  };
  const hay = new Haystack();
  const spawned: string[][] = [];
  const realSpawn = childProcess.spawn;
  // Record every child process; run a harmless `true` instead of a real browser launcher.
  childProcess.spawn = ((command: string, args: readonly string[] = [], options: object = {}) => {
    spawned.push([command, ...args]);
    return realSpawn('true', [], options);
  }) as typeof childProcess.spawn;
  t.teardown(() => void (childProcess.spawn = realSpawn));

  const cli = async (argv: string[], during?: (stderr: () => string) => Promise<void>) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += c));
    stderr.on('data', (c) => (err += c));
    const running = main(argv, { stdout, stderr, stdin: new PassThrough(), env, interactive: false });
    if (during) await during(() => err);
    const code = await running;
    hay.add(`stdout of ${argv[0]}`, out);
    hay.add(`stderr of ${argv[0]}`, err);
    return { code, out, err };
  };
  const store = ['--store', 'file', '--token-file', tokenFile];

  let requestToken = '';
  const login = await cli(['login', '--base-url', emulator.url, ...store], async (stderr) => {
    for (let i = 0; i < 200 && !/request_token=/.test(stderr()); i++) await new Promise((r) => setTimeout(r, 25));
    const url = new URL(/(http:\/\/\S+\/auth\/authorize\?\S+)/.exec(stderr())![1]!);
    requestToken = url.searchParams.get('request_token')!;
    t.true(emulator.decide(requestToken, 'approve'));
    await (await fetch(url.searchParams.get('redirect_uri')!)).text();
  });
  t.is(login.code, 0, login.err);
  const tokens = JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>;
  const accessToken = Object.values(tokens)
    .map((v) => {
      try {
        return (JSON.parse(v) as { token?: { accessToken?: string } }).token?.accessToken;
      } catch {
        return undefined;
      }
    })
    .find(Boolean)!;
  t.truthy(accessToken);

  t.is((await cli(['status'])).code, 0);
  t.is((await cli(['status', '--json'])).code, 0);
  const items = await cli(['items', '--json']);
  t.is(items.code, 0, items.err);
  t.is((await cli(['add', 'https://example.com/secret-test'])).code, 0);
  const itemId = /"(?:itemId|item_id)":\s*"(\d+)"/.exec(items.out)?.[1];
  t.truthy(itemId, items.out.slice(0, 200));
  t.is((await cli(['archive', itemId!])).code, 0);
  emulator.failNext('/v3/get', { malformed: true });
  t.not((await cli(['items'])).code, 0);
  emulator.failNext('/v3/get', { status: 503 }, { times: 5 });
  t.not((await cli(['items'])).code, 0);

  // The same command as a child process: the key travels in the environment, never argv.
  const childArgv = ['--import=tsx', 'test/hardening/fixtures/cli-child.ts', 'items', '--json'];
  const child = await runChild(process.execPath, childArgv, { env: { ...process.env, ...env }, timeout: 25_000 });
  hay.add('child stdout', child.stdout);
  hay.add('child stderr', child.stderr);
  hay.add('child argv', childArgv.join(' '));
  t.true(child.stdout.length > 2);

  t.is((await cli(['logout'])).code, 0);

  // Files the CLI wrote besides the token file (profile, logs): no secret in them.
  for (const entry of await readdir(home, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && path !== tokenFile) hay.add(`file ${path}`, await readFile(path, 'utf8'));
  }
  for (const argv of spawned) hay.add('spawned argv', argv.join(' '));
  t.true(spawned.length >= 1, 'the login started a browser launcher');

  const authorizeUrlPrefix = `${emulator.url}/auth/authorize?request_token=${requestToken}`;
  const allowed = (where: string, line: string, name: string) =>
    name === 'requestToken' &&
    (where.startsWith('stderr of login') || where === 'spawned argv') &&
    line.includes(authorizeUrlPrefix);
  t.deepEqual(hay.leaks({ consumerKey, requestToken, accessToken }, allowed), []);
  t.true(
    hay.parts.some(([where, text]) => where === 'stderr of login' && text.includes(authorizeUrlPrefix)),
    'the URL to open was printed',
  );
});

test('CLI with an installed-app client secret: not in output, errors, the profile or any argv, in success or failure', async (t) => {
  const { startGitHub, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET } = await import('../providers/imitation/github.js');
  const server = await startGitHub({ expiringTokens: true, deviceInterval: 1 });
  t.teardown(() => server.close());
  const home = await mkdtemp(join(tmpdir(), 'am-secrets-client-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const tokenFile = join(home, 'tokens.json');
  const env = {
    PATH: process.env['PATH'],
    HOME: home,
    AUTHMACHINE_CONFIG_DIR: join(home, 'config'),
    AUTHMACHINE_CLIENT_SECRET: GITHUB_CLIENT_SECRET,
  };
  const hay = new Haystack();
  const run = async (
    argv: string[],
    runEnv: Record<string, string | undefined>,
    during?: (stderr: () => string) => Promise<void>,
  ) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += c));
    stderr.on('data', (c) => (err += c));
    const running = main(argv, { stdout, stderr, stdin: new PassThrough(), env: runEnv, interactive: false });
    if (during) await during(() => err);
    const code = await running;
    hay.add(`${argv[0]} stdout`, out);
    hay.add(`${argv[0]} stderr`, err);
    return code;
  };
  const argv = [
    'login',
    '--provider',
    'github',
    '--base-url',
    server.origin,
    '--client-id',
    GITHUB_CLIENT_ID,
    '--device',
    '--store',
    'file',
    '--token-file',
    tokenFile,
  ];
  t.false(argv.join(' ').includes(GITHUB_CLIENT_SECRET), 'the secret is never an argument');
  const code = await run(argv, env, async (stderr) => {
    let match: RegExpExecArray | null = null;
    while (!(match = /enter the code: (\S+)\n/.exec(stderr()))) await new Promise((r) => setTimeout(r, 50));
    await fetch(`${server.origin}/imitation/device`, {
      method: 'POST',
      body: new URLSearchParams({ user_code: match[1]!, decision: 'allow' }),
    });
  });
  t.is(code, 0);
  server.expireAccessTokens();
  t.is(await run(['call', '/user'], env), 0, 'the refresh sent the secret and worked');
  t.is(await run(['status'], env), 0);
  // A refused secret: the error names the provider's code, never what was sent.
  const wrong = 'wrong-client-secret-f00d';
  server.expireAccessTokens();
  t.not(
    await run(['call', '/user'], { ...env, AUTHMACHINE_CLIENT_SECRET: wrong }),
    0,
    'the refresh with a wrong secret is refused',
  );
  for (const name of await readdir(join(home, 'config', 'profiles')))
    hay.add(`profile ${name}`, await readFile(join(home, 'config', 'profiles', name), 'utf8'));
  t.true(
    server.requests.some((r) => r.form.client_secret === wrong),
    'the wrong secret was really sent',
  );
  t.deepEqual(hay.leaks({ clientSecret: GITHUB_CLIENT_SECRET, wrong }), []);
});
