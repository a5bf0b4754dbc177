/**
 * Through the real machine and facade: a pushed authorization request (RFC 9126) end to end, and
 * the device grant (RFC 8628) where the machine polls on its own (XState delays, the real clock)
 * while Chromium types the user code the flow announced.
 */
import anyTest, { type TestFn } from 'ava';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { chromiumOpener } from '../helpers/chromium-opener.js';
import { oauth2Flow, storedToken } from '../helpers/oauth2-machine.js';
import { enterDeviceCode, isolatedContext } from '../helpers/oidc-browser.js';
import { CLIENT_ID, startOidcServer, type OidcServer } from '../helpers/oidc-server.js';

const test = anyTest as TestFn<{ server: OidcServer; browser: Browser }>;

test.before(async (t) => {
  t.context.server = await startOidcServer({ par: true, deviceInterval: 1 });
  t.context.browser = await launchChromium();
});
test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.server?.close();
});

test('PAR through the flow: the parameters are pushed, the browser URL carries only client_id and request_uri', async (t) => {
  const { server, browser } = t.context;
  const opener = chromiumOpener(browser, { login: 'grace' });
  const setup = oauth2Flow(server, { browser: opener });
  t.teardown(() => setup.flow.stop());

  const result = await setup.flow.login();
  await opener.settled();
  t.is(result.username, 'grace');
  t.is(setup.flow.state.value, 'authorized');

  const pushed = setup.http.formsTo(`${server.issuer}/request`);
  t.is(pushed.length, 1);
  t.is(pushed[0]!.get('code_challenge_method'), 'S256');
  t.regex(pushed[0]!.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  const url = new URL(opener.urls[0]!);
  t.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  t.is(url.searchParams.get('client_id'), CLIENT_ID);
  t.regex(url.searchParams.get('request_uri')!, /^urn:ietf:params:oauth:request_uri:/);

  t.truthy((await storedToken(setup))?.accessToken);
  t.is(JSON.parse((await setup.flow.fetch({ url: '/api/me' })).body).sub, 'grace');
});

test("device grant through the machine: the user code is announced, Chromium enters it, the machine polls at the server's interval and ends authorized", async (t) => {
  const { server, browser } = t.context;
  const setup = oauth2Flow(server, { protocol: { mode: 'device' } });
  const { flow, http } = setup;
  t.teardown(() => flow.stop());
  const context = await isolatedContext(browser);
  t.teardown(() => context.close());

  const intervals = new Set<number>();
  flow.actor.subscribe((s) => {
    if (s.matches({ signingIn: 'awaitingUser' })) intervals.add(s.context.pollIntervalMs);
  });
  let typed: Promise<string> | undefined;
  const announced: Array<{ url: string; userCode: string | null }> = [];
  flow.on('authorizationUrl', (e) => {
    announced.push({ url: e.url, userCode: e.userCode });
    // The person reads the code from the host and types it on the provider's plain page.
    typed = context
      .newPage()
      .then((page) => enterDeviceCode(page, `${server.issuer}/device`, e.userCode!, { login: 'erin' }));
  });

  const result = await flow.login();
  t.is(await typed, 'Sign-in Success');
  t.is(result.username, 'erin');
  t.is(flow.state.value, 'authorized');
  t.is(announced.length, 1);
  t.regex(announced[0]!.userCode!, /^[A-Z]{4}-?[A-Z]{4}$/);
  t.true(announced[0]!.url.startsWith(`${server.issuer}/device`));
  t.false(
    setup.states.some((s) => s.includes('waitingForRedirect')),
    'no redirect listener in device mode',
  );

  const polls = http.requests
    .map((r, i) => ({ form: new URLSearchParams(r.body), at: http.sentAt[i]! }))
    .filter((p) => p.form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code');
  t.true(polls.length >= 2, 'at least one pending poll before the approval');
  // The server said 1 s, not RFC 8628's 5 s default: the machine waited that long between polls.
  t.deepEqual([...intervals], [1000]);
  const gaps = polls.slice(1).map((p, i) => p.at - polls[i]!.at);
  t.true(
    gaps.every((gap) => gap >= 950),
    `gaps ${gaps.join(', ')}`,
  );

  const saved = await storedToken(setup);
  t.truthy(saved?.refreshToken);
  t.is(JSON.parse((await flow.fetch({ url: '/api/me' })).body).sub, 'erin');
});
