/**
 * Two instances of a host (two processes of examples/server-host.ts) share one real
 * redis-server, logging users in to a real OpenID Provider (oidc-provider, refresh tokens
 * rotated for this public client, reuse detected: a rotated refresh token used again revokes
 * the whole grant). Chromium plays the person.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { isolatedContext, signInAndConsent } from '../helpers/oidc-browser.js';
import { oidcSuite } from '../helpers/oidc-suite.js';
import { CLIENT_ID } from '../helpers/oidc-server.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startHostInstance, type HostInstance } from '../helpers/server-instance.js';

const test = oidcSuite();
let redis: RedisServer;
/** Stands for the load balancer at the redirect URI: records where the browser was sent. */
let balancer: Server;
let redirectUri: string;
const instances: HostInstance[] = [];
const refreshes: string[] = [];
/** Grants ended at the revocation endpoint (RFC 7009), by account. */
const revokedAtEndpoint: string[] = [];

test.before(async (t) => {
  redis = await startRedisServer();
  balancer = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}/callback`;
  t.context.server.provider.on('grant.success', (ctx: unknown) => {
    if ((ctx as { oidc: { params?: { grant_type?: string } } }).oidc.params?.grant_type === 'refresh_token')
      refreshes.push('refresh');
  });
  t.context.server.provider.on('grant.revoked', (ctx: unknown) => {
    const oidc = (ctx as { oidc: { route?: string; entities?: { RefreshToken?: { accountId?: string } } } }).oidc;
    if (oidc.route === 'revocation') revokedAtEndpoint.push(oidc.entities?.RefreshToken?.accountId ?? '?');
  });
});

test.after.always(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  balancer?.closeAllConnections();
  balancer?.close();
  await redis?.stop();
});

async function instance(issuer: string, resourceUrl: string): Promise<HostInstance> {
  const started = await startHostInstance({
    PROVIDER: 'oauth',
    OAUTH_ISSUER: issuer,
    OAUTH_CLIENT_ID: CLIENT_ID,
    OAUTH_RESOURCE: resourceUrl,
    REDIS_URL: redis.url,
    REDIRECT_URI: redirectUri,
    // A token is refreshed once it is within 1 s of its expiry (the provider gives 2 s below).
    REFRESH_SKEW_MS: '1000',
  });
  instances.push(started);
  return started;
}

/** The person signs in (in a browser of their own) and consents; returns the callback's query. */
async function approve(browser: Browser, authorizationUrl: string, login: string): Promise<Record<string, string>> {
  const context = await isolatedContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(authorizationUrl);
    await signInAndConsent(page, login, async () => page.url().startsWith(redirectUri));
    await page.waitForURL((url) => url.href.startsWith(redirectUri));
    return Object.fromEntries(new URL(page.url()).searchParams);
  } finally {
    await context.close();
  }
}

test.serial(
  'OAuth: begun on A, completed on B, replay refused; A killed mid-login loses nothing; concurrent token() after expiry on both instances keeps the login in 20 of 20 rounds',
  async (t) => {
    t.timeout(5 * 60_000, 'instances start slowly on a busy machine');
    const { server, browser } = t.context;
    const [a, b] = await Promise.all([
      instance(server.issuer, server.resourceUrl),
      instance(server.issuer, server.resourceUrl),
    ]);

    // frank: begun on A, completed on B, replayed on A.
    server.setAccessTokenTtl('frank', 2);
    const begun = await a.call('GET', '/login?user=frank');
    t.is(begun.status, 200, JSON.stringify(begun.body));
    const params = await approve(browser, begun.body.authorizationUrl as string, 'frank');
    t.is(params.state, begun.body.state as string);
    t.truthy(params.code);
    t.is(params.iss, server.issuer, 'RFC 9207 iss came back and was checked');
    const query = `/callback?${new URLSearchParams(params)}`;
    const completed = await b.call('GET', query);
    t.is(completed.status, 200, JSON.stringify(completed.body));
    t.is(completed.body.userId, 'frank');
    const replayed = await a.call('GET', query);
    t.is(replayed.status, 410);
    t.is(replayed.body.error, 'ERR_EXPIRED');

    // grace: begun on a third instance that is killed before the callback; B completes.
    const doomed = await instance(server.issuer, server.resourceUrl);
    const begunThere = await doomed.call('GET', '/login?user=grace');
    await doomed.kill('SIGKILL');
    const graceParams = await approve(browser, begunThere.body.authorizationUrl as string, 'grace');
    const graceDone = await b.call('GET', `/callback?${new URLSearchParams(graceParams)}`);
    t.is(graceDone.status, 200, JSON.stringify(graceDone.body));
    t.deepEqual((await a.call('GET', '/me?user=grace')).body.provider, { sub: 'grace' });

    // 20 rounds: wait until frank's token is due for refresh, then 3 calls on each instance at once.
    let expiresAt = (await a.call('GET', '/me?user=frank')).body.expiresAt as number;
    for (let round = 0; round < 20; round++) {
      const before = refreshes.length;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - 1000 - Date.now() + 20)));
      const answers = await Promise.all([a, b, a, b, a, b].map((host) => host.call('GET', '/me?user=frank')));
      for (const answer of answers) t.is(answer.status, 200, `round ${round}: ${JSON.stringify(answer.body)}`);
      t.deepEqual(new Set(answers.map((answer) => (answer.body.provider as { sub: string }).sub)), new Set(['frank']));
      expiresAt = Math.max(...answers.map((answer) => answer.body.expiresAt as number));
      // Usually exactly one: the others wait for the lock and use its token. (On a slow machine a
      // call may find even that one due again, 1 s later, and refresh it in turn: still one at a time.)
      t.true(refreshes.length > before, `round ${round}: the token was refreshed`);
    }

    t.deepEqual(revokedAtEndpoint, [], 'nothing revoked before logout');
    const out = await b.call('POST', '/logout?user=frank');
    t.deepEqual(out.body, { removed: true });
    t.deepEqual(revokedAtEndpoint, ['frank'], "logout revoked frank's grant at the provider (RFC 7009)");
    t.is((await a.call('GET', '/me?user=frank')).body.error, 'ERR_NOT_LOGGED_IN');
  },
);
