/**
 * The built CLI through a real proxy (Debian's tinyproxy): `login`, `call` and a refresh against a
 * real oidc-provider over https on an address that exists only in a network namespace of the
 * test's own (see fixtures/proxy-cli-scenario.ts). The provider sees the proxy's outgoing address
 * on every request the CLI sent through it, and tinyproxy's log shows the CONNECT tunnels; the
 * loopback API, the loopback redirect and a NO_PROXY run never touch the proxy.
 */
import test from 'ava';
import { runInNetworkNamespace } from '../helpers/network-namespace.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  requests: Array<{ request: string; peer: string | undefined }>;
  proxyLog: string;
}
interface Report {
  issuer: string;
  loopbackApi: string;
  proxySource: string;
  login: Run;
  callIssuerOrigin: Run;
  callLoopbackApi: Run;
  tokenRefresh: Run;
  refreshGrants: number;
  noProxyLogin: Run;
  noProxyCall: Run;
  fullProxyLog: string;
  error?: string;
}

const run = runInNetworkNamespace<Report>('test/cli/fixtures/proxy-cli-scenario.ts', 110_000);

/** What the CLI itself asks the provider (the rest are the browser's pages). */
const CLI_REQUESTS = /^(GET \/\.well-known\/openid-configuration|POST \/token|GET \/jwks|GET \/api\/me)$/;
const cliRequests = (r: Run) => r.requests.filter(({ request }) => CLI_REQUESTS.test(request));
/** tinyproxy's request lines ("CONNECT host:port HTTP/1.1") and its connections out. */
const proxyTargets = (log: string) =>
  log.split('\n').flatMap((line) => {
    const match = /Request \(file descriptor \d+\): (\S+ \S+)|Established connection to host "([^"]+)"/.exec(line);
    return match ? [match[1] ?? match[2]!] : [];
  });

test('login with HTTPS_PROXY / HTTP_PROXY: discovery and the code exchange go through a CONNECT tunnel; the redirect to the loopback listener still completes it', async (t) => {
  const { error, login, issuer, proxySource } = await run;
  t.is(error, undefined);
  t.is(login.code, 0, login.stderr);
  t.true(login.stdout.startsWith(`Logged in to ${issuer} as proxy-user.`), login.stdout);
  const sent = cliRequests(login);
  for (const expected of ['GET /.well-known/openid-configuration', 'POST /token'])
    t.true(
      sent.some(({ request }) => request === expected),
      expected,
    );
  for (const { request, peer } of sent) t.is(peer, proxySource, `${request} came through the proxy`);
  const host = new URL(issuer).host;
  t.regex(login.proxyLog, new RegExp(`CONNECT ${host.replace(/\./g, '\\.')} HTTP/1\\.1`));
  t.notRegex(login.proxyLog, /\b(GET|POST) /, 'https is tunnelled: the proxy sees no request inside');
  t.true(
    login.requests.some(({ request }) => request === 'GET /auth'),
    'the person approved in the browser and was sent to the loopback redirect',
  );
});

test('call and a refresh through the proxy (lower-case variables too); the loopback API goes direct with ALL_PROXY set', async (t) => {
  const { callIssuerOrigin, callLoopbackApi, tokenRefresh, refreshGrants, proxySource, issuer, fullProxyLog } =
    await run;
  t.is(callIssuerOrigin.code, 0, callIssuerOrigin.stderr);
  t.is(JSON.parse(callIssuerOrigin.stdout).sub, 'proxy-user');
  t.deepEqual(callIssuerOrigin.requests, [{ request: 'GET /api/me', peer: proxySource }]);
  t.regex(callIssuerOrigin.proxyLog, /CONNECT /);

  t.is(callLoopbackApi.code, 0, callLoopbackApi.stderr);
  t.is(JSON.parse(callLoopbackApi.stdout).sub, 'proxy-user');
  t.deepEqual(callLoopbackApi.requests, [{ request: 'GET /api/me', peer: '127.0.0.1' }]);
  t.is(callLoopbackApi.proxyLog, '', 'the proxy never heard of it');

  t.is(tokenRefresh.code, 0, tokenRefresh.stderr);
  t.is(refreshGrants, 1, 'the provider granted one refresh');
  t.true(tokenRefresh.requests.some(({ request }) => request === 'POST /token'));
  for (const { request, peer } of cliRequests(tokenRefresh)) t.is(peer, proxySource, request);
  t.regex(tokenRefresh.proxyLog, /CONNECT /);
  const accessToken = tokenRefresh.stdout.trim();
  t.true(accessToken.length > 10);
  t.false(fullProxyLog.includes(accessToken), 'the tunnel hides the token from the proxy');

  // Over every run: the proxy only ever connected to the issuer, never to anything on loopback.
  const targets = proxyTargets(fullProxyLog);
  t.true(targets.length > 0);
  const host = new URL(issuer).hostname;
  for (const target of targets) t.true(target === host || target.startsWith(`CONNECT ${host}:`), target);
});

test('NO_PROXY naming the issuer: the login and call go direct, and the proxy logs nothing', async (t) => {
  const { noProxyLogin, noProxyCall, issuer } = await run;
  const host = new URL(issuer).hostname;
  t.is(noProxyLogin.code, 0, noProxyLogin.stderr);
  t.true(noProxyLogin.stdout.startsWith(`Logged in to ${issuer} as direct-user.`));
  t.true(cliRequests(noProxyLogin).some(({ request }) => request === 'POST /token'));
  for (const { request, peer } of noProxyLogin.requests) t.is(peer, host, `${request} came direct`);
  t.is(noProxyLogin.proxyLog, '');
  t.is(noProxyCall.code, 0, noProxyCall.stderr);
  t.deepEqual(noProxyCall.requests, [{ request: 'GET /api/me', peer: host }]);
  t.is(noProxyCall.proxyLog, '');
});
