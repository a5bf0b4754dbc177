/**
 * Property-based tests of every parser of outside input: thousands of generated inputs each
 * (arbitrary JSON, arbitrary strings, near-valid shapes). Each must end in a valid result or an
 * AuthError - never another exception - and no secret-looking string from the input may be
 * echoed in the error's message, nor anywhere in util.inspect(error) (its `cause` included).
 */
import { inspect } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import type { HttpResponse } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';
import { LoopbackReceiver } from '../../adapters/loopback-receiver.js';
import { decodeTokenSet } from '../../src/flow/token-codec.js';
import { parseMetadata } from '../../src/oauth2/discovery.js';
import { oauthError, parseRetryAfter } from '../../src/oauth2/errors.js';
import { failureFor, parseJsonObject } from '../../src/oauth2/http.js';
import { parseAccessTokenResponse } from '../../src/oauth2/token-endpoint.js';
import { pocketError } from '../../src/pocket/errors.js';
import { convertItem, convertItemList } from '../../src/pocket/items.js';
import { readRateLimits, retryAfterMs } from '../../src/pocket/rate-limit.js';
import { decodePocketAnswer } from '../../src/pocket/wire.js';

/** Every secret planted in the inputs starts with this, so any echo of one is found. */
const NEEDLE = 'SeCrEt';
const RUNS = 2000;

const secret = fc.stringMatching(/^[A-Za-z0-9_-]{4,24}$/).map((tail) => `${NEEDLE}${tail}`);
/** Strings that are sometimes secrets, sometimes junk, sometimes near-valid values. */
const text = fc.oneof(
  secret,
  fc.string(),
  fc.constantFrom('', 'Bearer', 'bearer', 'mac', '0', '1', '-1', '3600', 'null', '{', '<html>'),
);
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
/** Arbitrary JSON with secrets mixed into its strings. */
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  ),
})).value;
const record = fc.dictionary(text, json, { maxKeys: 6 });

/** Object built from the real field names, each filled with any JSON (near-valid shapes). */
function shaped(fields: readonly string[]) {
  return fc.record(
    Object.fromEntries(fields.map((f) => [f, fc.oneof(json, text, fc.integer({ min: -1, max: 1e10 }))])),
    { requiredKeys: [] },
  );
}

const headers = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'content-type',
      'x-error-code',
      'x-error',
      'retry-after',
      'x-limit-user-remaining',
      'x-limit-user-reset',
      'x-limit-key-remaining',
      'x-limit-key-reset',
      'x-limit-user-limit',
      'location',
    ),
    fc.string(),
  ),
  fc.oneof(
    text,
    fc.constantFrom('application/json', 'text/html', 'application/x-www-form-urlencoded', '0', '199', '152', '5'),
  ),
  { maxKeys: 5 },
);
const body = fc.oneof(
  text,
  json.map((v) => JSON.stringify(v)),
  record.map((v) =>
    new URLSearchParams(
      Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]),
    ).toString(),
  ),
);
const response = fc.record({
  status: fc.oneof(fc.constantFrom(200, 201, 400, 401, 403, 429, 500, 503), fc.integer({ min: 100, max: 599 })),
  headers,
  body,
});

/** Runs `parse` on every input; fails on a foreign exception or an echoed secret. Returns the count. */
function check<T>(
  t: { log(...v: unknown[]): void },
  name: string,
  arbitrary: fc.Arbitrary<T>,
  parse: (input: T) => unknown,
  numRuns = RUNS,
): void {
  let count = 0;
  fc.assert(
    fc.property(arbitrary, (input) => {
      count++;
      try {
        parse(input);
      } catch (error) {
        if (!(error instanceof AuthError))
          throw new Error(`${name} threw a ${(error as Error)?.constructor?.name}: ${String(error)}`);
        if (error.message.includes(NEEDLE)) throw new Error(`${name} echoed a secret in its message: ${error.message}`);
        if (inspect(error, { depth: 5 }).includes(NEEDLE))
          throw new Error(`${name} carries a secret in its inspected form (cause?)`);
      }
    }),
    { numRuns },
  );
  t.log(`${name}: ${count} inputs`);
  console.log(`parsers: ${name}: ${count} inputs`);
}

test('Pocket: decodePocketAnswer', (t) => {
  check(
    t,
    'decodePocketAnswer',
    fc.tuple(response, fc.boolean()),
    ([r, allowForm]) => decodePocketAnswer(r as HttpResponse, { allowForm }),
    4000,
  );
  t.pass();
});

test('Pocket: pocketError and the rate-limit headers', (t) => {
  check(
    t,
    'pocketError',
    fc.tuple(
      response,
      fc.constantFrom('request', 'authorize', 'data') as fc.Arbitrary<'request' | 'authorize' | 'data'>,
    ),
    ([r, endpoint]) => {
      const error = pocketError(r as HttpResponse, endpoint);
      if (!(error instanceof AuthError)) throw new Error('pocketError returned something else');
      throw error; // judged like a thrown one
    },
  );
  check(t, 'readRateLimits/retryAfterMs', headers, (h) => {
    const limits = readRateLimits(h);
    for (const scope of [limits.user, limits.key]) {
      for (const v of Object.values(scope ?? {}))
        if (!Number.isSafeInteger(v) || v < 0) throw new Error(`bad limit value ${v}`);
    }
    const wait = retryAfterMs(h);
    if (wait !== undefined && !(wait >= 0)) throw new Error(`bad wait ${wait}`);
  });
  t.pass();
});

test('Pocket: convertItem and convertItemList', (t) => {
  const item = shaped([
    'item_id',
    'resolved_id',
    'given_url',
    'given_title',
    'status',
    'favorite',
    'time_added',
    'time_updated',
    'sort_id',
    'word_count',
    'tags',
    'authors',
    'images',
    'videos',
    'has_image',
    'is_article',
  ]);
  check(t, 'convertItem', fc.tuple(fc.oneof(item, json), fc.option(text, { nil: undefined })), ([raw, key]) =>
    convertItem(raw, key),
  );
  check(
    t,
    'convertItemList',
    fc.oneof(json, fc.dictionary(text, item, { maxKeys: 4 }), fc.array(item, { maxLength: 4 })),
    (list) => {
      for (const converted of convertItemList(list))
        if (typeof converted.itemId !== 'string' || converted.itemId === '') throw new Error('item without id');
    },
  );
  t.pass();
});

test('OAuth: token responses, error responses, Retry-After', (t) => {
  const token = shaped(['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope', 'id_token']);
  check(t, 'parseAccessTokenResponse', fc.oneof(token, record), (j) => {
    const set = parseAccessTokenResponse(j as Record<string, unknown>, 1_700_000_000_000);
    if (typeof set.accessToken !== 'string' || set.accessToken === '') throw new Error('token without access token');
    if (set.expiresAt !== undefined && !Number.isFinite(set.expiresAt))
      throw new Error(`bad expiresAt ${set.expiresAt}`);
  });
  check(t, 'parseJsonObject', body, (b) => parseJsonObject(b, 'token endpoint', 200));
  const contexts = fc.constantFrom(
    'authorization-response',
    'access-token',
    'refresh',
    'device-access-token',
    'par',
    'revocation',
    'device-authorization',
  ) as fc.Arbitrary<'access-token'>;
  const errorBody = fc.oneof(
    body,
    shaped(['error', 'error_description', 'error_uri']).map((v) => JSON.stringify(v)),
  );
  check(t, 'failureFor', fc.tuple(response, errorBody, contexts), ([r, b, context]) => {
    throw failureFor({ ...(r as HttpResponse), body: b }, context, 'token endpoint', 1_700_000_000_000);
  });
  check(t, 'oauthError', fc.tuple(text, contexts), ([error, context]) => {
    throw oauthError(error, context);
  });
  check(
    t,
    'parseRetryAfter',
    fc.oneof(
      text,
      fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toUTCString())),
    ),
    (value) => {
      const ms = parseRetryAfter(value, 1_700_000_000_000);
      if (ms !== undefined && !(ms >= 0)) throw new Error(`bad wait ${ms}`);
    },
  );
  t.pass();
});

test('OAuth: discovery documents', (t) => {
  const issuer = 'https://issuer.example';
  const url = fc.oneof(
    text,
    fc.constantFrom(
      `${issuer}/token`,
      'http://127.0.0.1:1/token',
      'http://evil.example/token',
      'javascript:alert(1)',
      `${issuer}/${NEEDLE}x`,
    ),
  );
  const doc = fc.record(
    {
      // The issuer is a public identifier that a mismatch message shows on purpose (both issuers,
      // quoted and capped), so it is the one field allowed to carry the needle back.
      issuer: fc.oneof(
        fc.constant(issuer),
        text.filter((s) => !s.includes(NEEDLE)),
      ),
      token_endpoint: url,
      authorization_endpoint: url,
      revocation_endpoint: url,
      device_authorization_endpoint: url,
      pushed_authorization_request_endpoint: url,
      jwks_uri: url,
      code_challenge_methods_supported: fc.oneof(json, fc.array(text)),
      require_pushed_authorization_requests: json,
    },
    { requiredKeys: [] },
  );
  check(t, 'parseMetadata', fc.oneof(doc, record), (d) => {
    const meta = parseMetadata(d as Record<string, unknown>, issuer);
    if (typeof meta.token_endpoint !== 'string') throw new Error('metadata without token endpoint');
  });
  t.pass();
});

test('Token codec: decodeTokenSet', (t) => {
  const tokenSet = shaped(['accessToken', 'refreshToken', 'expiresAt', 'tokenType', 'scope', 'idToken', 'username']);
  const stored = fc.oneof(
    text,
    json.map((v) => JSON.stringify(v)),
    fc.record({ v: json, token: fc.oneof(tokenSet, json) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  );
  check(t, 'decodeTokenSet', stored, (s) => {
    const token = decodeTokenSet(s, 'the test store');
    if (typeof token.accessToken !== 'string' || token.accessToken === '')
      throw new Error('token without access token');
    for (const key of ['refreshToken', 'tokenType', 'scope', 'idToken', 'username'] as const) {
      if (token[key] !== undefined && typeof token[key] !== 'string') throw new Error(`decoded a non-string ${key}`);
    }
    if (token.expiresAt !== undefined && !Number.isFinite(token.expiresAt))
      throw new Error('decoded a non-number expiresAt');
  });
  t.pass();
});

test('Loopback receiver: generated callback queries through HTTP', async (t) => {
  const receiver = new LoopbackReceiver();
  const state = 'st-property-state';
  const controller = new AbortController();
  const session = await receiver.listen({ signal: controller.signal });
  t.teardown(() => session.close());
  session.expect(state);
  const param = fc.tuple(
    fc.oneof(text, fc.constantFrom('state', 'code', 'error', 'error_description', 'iss')),
    fc.oneof(text, fc.constant(state)),
  );
  let count = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(param, { maxLength: 6 }), async (pairs) => {
      // Never the one genuine answer: that would (rightly) settle the receiver.
      const query = new URLSearchParams(pairs.filter(([k]) => k !== 'state'));
      count++;
      const res = await fetch(`${session.redirectUri}?${query}`);
      const page = await res.text();
      if (res.status !== 400) throw new Error(`status ${res.status} for a query without our state`);
      if (page.includes('<script')) throw new Error('the page echoed markup');
      // An error redirect's page repeats the provider's error (cleaned, escaped), nothing else.
      const repeated = query.has('error') ? `${query.get('error')} ${query.get('error_description') ?? ''}` : '';
      if (page.includes(NEEDLE) && !repeated.includes(NEEDLE)) throw new Error('the page echoed input');
    }),
    { numRuns: 300 },
  );
  console.log(`parsers: loopback callback query (HTTP): ${count} inputs`);
  // It kept waiting throughout: the genuine callback still lands.
  const page = fetch(`${session.redirectUri}?state=${state}&code=ok`).then((res) => res.text());
  t.deepEqual(await session.callback, { kind: 'redirect', params: { state, code: 'ok' } });
  await session.complete({ kind: 'authorized' });
  t.regex(await page, /Login complete/);
});
