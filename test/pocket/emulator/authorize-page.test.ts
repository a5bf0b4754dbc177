import test from 'ava';
import { postJson, requestToken, startEmulator } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:9/done?x=1&y=<2>';

function ticketOf(html: string): string {
  return /name="ticket" value="([^"]+)"/.exec(html)![1]!;
}

function decide(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${url}/auth/authorize`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

test('the page shows the app name escaped, Approve/Decline buttons, and a strict CSP', async (t) => {
  const emulator = await startEmulator(t);
  const key = emulator.issueConsumerKey({ appName: '<script>alert("x")</script> & Co' });
  const code = await requestToken(emulator, REDIRECT, key);
  const response = await fetch(emulator.authorizeUrl(code, REDIRECT));
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^text\/html/);
  const csp = response.headers.get('content-security-policy') ?? '';
  t.regex(csp, /default-src 'none'/);
  t.regex(csp, /frame-ancestors 'none'/);
  t.is(response.headers.get('x-frame-options'), 'DENY');
  const html = await response.text();
  t.false(html.includes('<script>'));
  t.true(html.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; Co'));
  t.regex(html, /<button type="submit" id="approve"/);
  t.regex(html, /<button type="submit" id="decline"/);
  t.false(html.includes(code), 'the request token is not echoed into the page');
});

test('approve: 302 to redirect_uri exactly as given, then the exchange returns a token', async (t) => {
  const emulator = await startEmulator(t);
  const code = await requestToken(emulator, REDIRECT);
  const page = await (await fetch(emulator.authorizeUrl(code, REDIRECT))).text();
  const response = await decide(emulator.url, { ticket: ticketOf(page), decision: 'approve' });
  t.is(response.status, 302);
  t.is(response.headers.get('location'), REDIRECT);
  const exchange = await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code });
  t.is(exchange.status, 200);
});

test('a forged or reused form is refused, and the decision stays open', async (t) => {
  const emulator = await startEmulator(t);
  const code = await requestToken(emulator, REDIRECT);
  const forged = await decide(emulator.url, { ticket: 'made-up', decision: 'approve' });
  t.is(forged.status, 400);
  t.regex(await forged.text(), /expired or was not sent by the authorization page/);
  const page = await (await fetch(emulator.authorizeUrl(code))).text();
  const ticket = ticketOf(page);
  t.is((await decide(emulator.url, { ticket, decision: 'maybe' })).status, 400);
  // The bad decision used the ticket up; a fresh page still works.
  const again = ticketOf(await (await fetch(emulator.authorizeUrl(code))).text());
  t.is((await decide(emulator.url, { ticket: again, decision: 'decline' })).status, 302);
  t.is((await decide(emulator.url, { ticket: again, decision: 'approve' })).status, 400);
  const exchange = await postJson(emulator, '/v3/oauth/authorize', { consumer_key: emulator.consumerKey, code });
  t.is(exchange.headers.get('x-error-code'), '158');
});

test('unknown, decided and mismatched requests get an error page', async (t) => {
  const emulator = await startEmulator(t, { approval: 'auto-approve' });
  const unknown = await fetch(emulator.authorizeUrl('dcba4321-dcba-4321-dcba-4321dc', REDIRECT));
  t.is(unknown.status, 404);
  t.regex(unknown.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(await unknown.text(), /unknown/);
  t.is((await fetch(`${emulator.url}/auth/authorize`)).status, 404);
  const code = await requestToken(emulator, REDIRECT);
  const mismatch = await fetch(emulator.authorizeUrl(code, 'http://evil.example/'), { redirect: 'manual' });
  t.is(mismatch.status, 400);
  t.is(mismatch.headers.get('location'), null);
  t.is((await fetch(emulator.authorizeUrl(code), { redirect: 'manual' })).headers.get('location'), REDIRECT);
  const decided = await fetch(emulator.authorizeUrl(code, REDIRECT), { redirect: 'manual' });
  t.is(decided.status, 409);
});

test('a redirect_uri with control characters is refused at request time (181)', async (t) => {
  const emulator = await startEmulator(t);
  const response = await postJson(emulator, '/v3/oauth/request', {
    consumer_key: emulator.consumerKey,
    redirect_uri: 'http://x/\r\nSet-Cookie: a=b',
  });
  t.is(response.status, 400);
  t.is(response.headers.get('x-error-code'), '181');
});
