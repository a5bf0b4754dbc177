/**
 * Fault-injection matrix, Pocket: every HTTP call of the protocol x every fault, each cell
 * driven through the real machine (createAuthFlow), the real AxiosHttpClient and the real
 * loopback listener, against a small local server that answers every endpoint correctly except
 * the one under test. The OAuth half is fault-matrix-oauth.test.ts.
 */
import test from 'ava';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import type { BrowserOpener } from '../../adapters/contracts.js';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { createPocketProtocol, type PocketRequest } from '../../src/pocket/index.js';
import { FAULTS, socketsDrained, startFaultServer, type Fault, type ServedRequest } from './helpers/fault-server.js';
import {
  activeHandles,
  handlesSettle,
  judge,
  pool,
  printMatrix,
  RecordingReceiver,
  recordRetries,
  RETRIED,
  RETRYING_STEP,
  type CellResult,
  type Expectation,
} from './helpers/matrix.js';

const ROWS = ['request', 'authorize', 'get', 'add', 'send'] as const;
type Row = (typeof ROWS)[number];
const LOGIN_ROWS = new Set<Row>(['request', 'authorize']);

const CONSUMER_KEY = '12345-fault0matrix0consumer0key';
const REQUEST_TOKEN = 'rt-fault-matrix-request-token';
const ACCESS_TOKEN = 'at-fault-matrix-access-token';

/** Small back-off so a retried cell ends in well under a second (Retry-After cells: ~2 s). */
const FLOW_CONFIG = {
  maxAttempts: 3,
  backoffBaseMs: 20,
  backoffMaxMs: 50,
  maxRetryAfterMs: 5_000,
  userTimeoutMs: 10_000,
};
/**
 * Per-request deadline: short where the fault is a stall (so a cell ends in ~5 s), generous
 * elsewhere so a loaded machine (the whole suite in parallel) cannot turn an answer into a timeout.
 */
const timeoutFor = (fault: Fault) => (fault === 'stall' || fault === 'endless' ? 1500 : 5000);
/** The machine step (actor) each row's call belongs to: only its retries are counted. */
const STEP: Record<Row, string> = {
  request: 'startAuthorization',
  authorize: 'exchangeCode',
  get: 'fetchResource',
  add: 'fetchResource',
  send: 'fetchResource',
};

/**
 * The expectation table. Transient faults (network, timeout, 5xx, rate limits) are retried
 * maxAttempts (3) times, Retry-After honoured (two waits of 1 s); answers that cannot be read,
 * are too large or redirect elsewhere fail at once. Login steps end in `failed` with nothing
 * stored; data calls end back in `authorized` with the login kept.
 */
const EXPECTED: Record<Fault, Expectation> = {
  ...RETRYING_STEP,
  '403-limit': { code: 'ERR_RATE_LIMITED', ...RETRIED, minMs: 2000, delayMs: 1000 },
};

const PATHS: Record<string, Row> = {
  '/v3/oauth/request': 'request',
  '/v3/oauth/authorize': 'authorize',
  '/v3/get': 'get',
  '/v3/add': 'add',
  '/v3/send': 'send',
};

function serve(endpoint: string, request: ServedRequest) {
  const ok = (value: unknown) => ({ status: 200, body: JSON.stringify(value) });
  const limits = { 'X-Limit-User-Limit': '320', 'X-Limit-User-Remaining': '319', 'X-Limit-User-Reset': '3600' };
  switch (endpoint) {
    case 'request':
      return ok({ code: REQUEST_TOKEN, state: null });
    case 'authorize':
      return request.fields.code === REQUEST_TOKEN
        ? ok({ access_token: ACCESS_TOKEN, username: 'alice' })
        : { status: 400, headers: { 'X-Error-Code': '185' }, body: '' };
    case 'get':
      return {
        ...ok({
          status: 1,
          complete: 1,
          list: { '1': { item_id: '1', given_url: 'https://example.com/', status: '0' } },
          since: 1700000000,
        }),
        headers: limits,
      };
    case 'add':
      return { ...ok({ status: 1, item: { item_id: '2', normal_url: 'https://example.com/x' } }), headers: limits };
    case 'send':
      return { ...ok({ status: 1, action_results: [true] }), headers: limits };
    default:
      return { status: 404, headers: { 'X-Error-Code': '404' }, body: '' };
  }
}

const DATA_REQUESTS: Record<Exclude<Row, 'request' | 'authorize'>, PocketRequest> = {
  get: { kind: 'get', params: { count: 1 } },
  add: { kind: 'add', url: 'https://example.com/x' },
  send: { kind: 'send', actions: [{ action: 'archive', itemId: '1' }] },
};

/** The person approves at once: the "browser" goes straight to the redirect URI it was given. */
const approvingBrowser: BrowserOpener = {
  async open(url, signal) {
    const redirect = new URL(url).searchParams.get('redirect_uri');
    if (redirect) await (await fetch(redirect, { signal })).text();
  },
};

async function runCell(row: Row, fault: Fault): Promise<CellResult> {
  const login = LOGIN_ROWS.has(row);
  const server = await startFaultServer({
    classify: (r) => PATHS[r.url.pathname] ?? r.url.pathname,
    serve,
    fault: { endpoint: row, kind: fault },
    // OAuth answers: 64 KiB limit, streamed chunked. Data answers: 64 MiB limit, declared up
    // front (streaming 64 MiB would outlast the short test deadline).
    oversizeBytes: login ? 256 * 1024 : 64 * 1024 * 1024 + 256 * 1024,
    declareOversize: !login,
    ...(fault === 'refused' && row === 'authorize' ? { refuseAfter: 'request' } : {}),
  });
  const store = new MemoryTokenStore();
  const receiver = new RecordingReceiver();
  const protocol = createPocketProtocol({
    consumerKey: CONSUMER_KEY,
    baseUrl: server.origin,
    timeoutMs: timeoutFor(fault),
  });
  const flow = createAuthFlow({
    protocol,
    http: new AxiosHttpClient(),
    receiver,
    browser: approvingBrowser,
    store,
    config: FLOW_CONFIG,
  });
  const retries = recordRetries(flow, STEP[row]);
  let code = 'ok';
  let started = Date.now();
  const problems: string[] = [];
  try {
    if (fault === 'refused' && row === 'request') await server.stopListening();
    await flow.login();
    if (!login) {
      retries.reset();
      if (fault === 'refused') await server.stopListening();
      started = Date.now();
      await flow.fetch(DATA_REQUESTS[row as keyof typeof DATA_REQUESTS]);
    }
  } catch (error) {
    code = (error as { code?: string }).code ?? 'NOT_AN_AUTH_ERROR';
  }
  const ms = Date.now() - started;
  const state = flow.state.value;
  const stored = await store.get(protocol.storageKey);
  if (login && state !== 'failed') problems.push(`state ${state}, expected failed`);
  if (!login && state !== 'authorized') problems.push(`state ${state}, expected authorized`);
  if (login && stored !== null) problems.push('a token was stored after a failed login');
  if (!login && stored === null) problems.push('the login was lost after a failed data call');
  if (receiver.ports.length === 0) problems.push('the loopback listener never started');
  for (const port of receiver.openPorts()) problems.push(`the loopback listener on ${port} is still open`);
  const left = await socketsDrained(server);
  if (left > 0) problems.push(`${left} socket(s) to the fault server left open`);
  flow.stop();
  await server.close();
  const result = {
    row,
    fault,
    code,
    state,
    hits: server.hits.get(row) ?? 0,
    retries: retries.count,
    delays: [...retries.delays],
    ms,
  };
  return { ...result, problems: [...judge(result, EXPECTED[fault]), ...problems] };
}

test('Pocket: every call x every fault ends in its documented code, bounded, retried only where retryable, nothing left open', async (t) => {
  // Warm axios up once so its first import does not count against a cell's deadline.
  await new AxiosHttpClient().send({ method: 'GET', url: 'http://127.0.0.1:9/', timeoutMs: 200 }).catch(() => {});
  const baseline = activeHandles();
  const cells = ROWS.flatMap((row) => FAULTS.map((fault) => [row, fault] as const));
  const started = Date.now();
  const results = await pool(cells, 8, ([row, fault]) => runCell(row, fault));
  const table = printMatrix(`Pocket fault matrix (${Date.now() - started} ms)`, ROWS, FAULTS, results);
  const handles = await handlesSettle(baseline);
  t.true(handles <= baseline, `active handles ${handles} > baseline ${baseline}`);
  t.is(results.length, ROWS.length * FAULTS.length);
  t.deepEqual(
    results.filter((r) => r.problems.length > 0).map((r) => `${r.row}/${r.fault}: ${r.problems.join('; ')}`),
    [],
    table,
  );
});
