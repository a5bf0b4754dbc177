/**
 * Fault-injection matrix, OAuth 2.0: discovery, PAR, code exchange, refresh, device
 * authorization, device poll, revocation and a protected resource x every fault, each driven
 * through the real machine (createAuthFlow), the real AxiosHttpClient and the real loopback
 * listener. The server below imitates an authorization server (oidc-provider cannot inject
 * faults): every endpoint answers correctly except the one under test. A second table runs the
 * same flow with DPoP (RFC 9449) and has each proof-carrying endpoint demand a nonce: once
 * (answered by one retry inside the protocol) or at every request (given up after that retry).
 */
import test from 'ava';
import type { BrowserOpener } from '../../adapters/contracts.js';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { MemoryTokenStore } from '../../adapters/memory-store.js';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { FAULTS, socketsDrained, startFaultServer, type Fault } from './helpers/fault-server.js';
import { authorizationServer, classify, DPOP_ENDPOINTS } from './helpers/oauth-server.js';
import {
  activeHandles,
  handlesSettle,
  judge,
  pool,
  printMatrix,
  RecordingReceiver,
  recordRetries,
  ONCE,
  RETRYING_STEP,
  type CellResult,
  type Expectation,
} from './helpers/matrix.js';

const ROWS = ['discovery', 'par', 'token', 'refresh', 'device-auth', 'device-poll', 'revocation', 'resource'] as const;
type Row = (typeof ROWS)[number];
/** Pocket's 403-with-no-calls-left has no OAuth counterpart. */
const OAUTH_FAULTS = FAULTS.filter((f) => f !== '403-limit');

const CLIENT_ID = 'fault-matrix-client';

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
  discovery: 'startAuthorization',
  par: 'startAuthorization',
  token: 'exchangeCode',
  refresh: 'refreshToken',
  'device-auth': 'startAuthorization',
  'device-poll': 'pollDevice',
  revocation: 'logout',
  resource: 'fetchResource',
};

const RETRYING = RETRYING_STEP;

/**
 * The expectation table. Every grant step retries transient faults like Pocket's calls do.
 * Revocation (logout) retries transient faults too; the token is forgotten locally on every try
 * and a final failure is reported; a 200 whose body is junk is still a revocation (RFC 7009 reads
 * only the status). A protected resource's status and body are the caller's (resource.ts): 5xx, 429 and
 * unreadable bodies come back as answers, only transport faults are errors there.
 */
const EXPECTED: Record<Row, Record<Exclude<Fault, '403-limit'>, Expectation>> = {
  discovery: RETRYING,
  par: RETRYING,
  token: RETRYING,
  refresh: RETRYING,
  'device-auth': RETRYING,
  'device-poll': RETRYING,
  revocation: {
    ...RETRYING,
    // Both revocations (refresh token, then access token) go out and count as done.
    malformed: { code: 'ok', hits: 2, retries: 0 },
    html: { code: 'ok', hits: 2, retries: 0 },
  },
  resource: {
    ...RETRYING,
    '5xx': { code: 'ok:503', ...ONCE },
    '5xx+retry-after': { code: 'ok:503', ...ONCE },
    '429+retry-after': { code: 'ok:429', ...ONCE },
    malformed: { code: 'ok:200', ...ONCE },
    html: { code: 'ok:200', ...ONCE },
  },
};

/** The DPoP nonce columns: the endpoint demands a nonce once, or with a new one at every request. */
const NONCE_CHALLENGES = ['nonce-once', 'nonce-always'] as const;
type NonceChallenge = (typeof NONCE_CHALLENGES)[number];
type Column = Exclude<Fault, '403-limit'> | NonceChallenge;
type NonceRow = (typeof DPOP_ENDPOINTS)[number];

/**
 * One retry with the server's nonce, inside the protocol: never a machine retry. A server that
 * keeps asking is an error of the protocol (ERR_PROTOCOL, providerCode use_dpop_nonce) after it.
 */
const NONCE_EXPECTED: Record<NonceRow, Record<NonceChallenge, Expectation>> = {
  par: {
    'nonce-once': { code: 'ok', hits: 2, retries: 0 },
    'nonce-always': { code: 'ERR_PROTOCOL', hits: 2, retries: 0 },
  },
  token: {
    'nonce-once': { code: 'ok', hits: 2, retries: 0 },
    'nonce-always': { code: 'ERR_PROTOCOL', hits: 2, retries: 0 },
  },
  refresh: {
    'nonce-once': { code: 'ok:200', hits: 2, retries: 0 },
    'nonce-always': { code: 'ERR_PROTOCOL', hits: 2, retries: 0 },
  },
  'device-poll': {
    'nonce-once': { code: 'ok', hits: 2, retries: 0 },
    'nonce-always': { code: 'ERR_PROTOCOL', hits: 2, retries: 0 },
  },
  resource: {
    'nonce-once': { code: 'ok:200', hits: 2, retries: 0 },
    'nonce-always': { code: 'ERR_PROTOCOL', hits: 2, retries: 0 },
  },
};

const isNonceChallenge = (column: Column): column is NonceChallenge =>
  (NONCE_CHALLENGES as readonly string[]).includes(column);

/** Where each row's refused connection starts: the server stops after answering this step. */
const REFUSE_AFTER: Partial<Record<Row, string>> = {
  par: 'discovery',
  token: 'authorize',
  refresh: 'resource',
  'device-auth': 'discovery',
  'device-poll': 'device-auth',
};

/** The person approves at once: the "browser" follows the authorization redirect to the listener. */
const approvingBrowser: BrowserOpener = {
  async open(url, signal) {
    if (new URL(url).pathname === '/device') return; // device grant: approval is the server's business
    await (await fetch(url, { signal })).text();
  },
};

async function runCell(row: Row, fault: Column): Promise<CellResult> {
  const device = row === 'device-auth' || row === 'device-poll';
  const afterLogin = row === 'refresh' || row === 'revocation' || row === 'resource';
  const nonce = isNonceChallenge(fault);
  const server = await startFaultServer({
    classify,
    serve: authorizationServer({
      resource401Once: row === 'refresh',
      ...(nonce ? { dpop: { challenge: { endpoint: row, mode: fault === 'nonce-once' ? 'once' : 'always' } } } : {}),
    }),
    ...(nonce ? {} : { fault: { endpoint: row, kind: fault } }),
    oversizeBytes: 10 * 1024 * 1024 + 256 * 1024, // the client's default limit is 10 MiB
    ...(fault === 'refused' && REFUSE_AFTER[row] ? { refuseAfter: REFUSE_AFTER[row] } : {}),
  });
  const store = new MemoryTokenStore();
  const receiver = new RecordingReceiver();
  const protocol = createOAuth2Protocol({
    issuer: server.origin,
    clientId: CLIENT_ID,
    scope: 'read offline_access',
    mode: device ? 'device' : 'redirect',
    timeoutMs: nonce ? 5000 : timeoutFor(fault),
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
  try {
    if (fault === 'refused' && row === 'discovery') await server.stopListening();
    await flow.login();
    if (afterLogin) {
      retries.reset();
      if (fault === 'refused' && row !== 'refresh') await server.stopListening();
      started = Date.now();
      if (row === 'revocation') await flow.logout();
      else code = `ok:${(await flow.fetch({ url: `${server.origin}/resource` })).status}`;
    }
  } catch (error) {
    code = (error as { code?: string }).code ?? 'NOT_AN_AUTH_ERROR';
  }
  const ms = Date.now() - started;
  const state = flow.state.value;
  const stored = await store.get(protocol.storageKey);
  const problems: string[] = [];
  const expectedState =
    row === 'revocation'
      ? code === 'ok'
        ? 'idle'
        : 'failed'
      : afterLogin
        ? 'authorized'
        : code === 'ok'
          ? 'authorized'
          : 'failed';
  if (state !== expectedState) problems.push(`state ${state}, expected ${expectedState}`);
  const keepsLogin = row === 'refresh' || row === 'resource' || (code === 'ok' && row !== 'revocation');
  if (!keepsLogin && stored !== null) problems.push('a token is stored');
  if (nonce && stored !== null && !/"tokenType":"DPoP"/.test(stored))
    problems.push('the stored token is not a DPoP token');
  if (keepsLogin && stored === null) problems.push('the login was lost after a failed call');
  if (!device && receiver.ports.length === 0 && row !== 'discovery')
    problems.push('the loopback listener never started');
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
  const expected = isNonceChallenge(fault) ? NONCE_EXPECTED[row as NonceRow][fault] : EXPECTED[row][fault];
  return { ...result, problems: [...judge(result, expected), ...problems] };
}

// Serial: each test compares the process's open handles with its own baseline.
test.serial(
  'OAuth 2.0: every call x every fault ends in its documented code, bounded, retried only where retryable, nothing left open',
  async (t) => {
    await new AxiosHttpClient().send({ method: 'GET', url: 'http://127.0.0.1:9/', timeoutMs: 200 }).catch(() => {});
    const baseline = activeHandles();
    const cells = ROWS.flatMap((row) =>
      OAUTH_FAULTS.map((fault) => [row, fault as Exclude<Fault, '403-limit'>] as const),
    );
    const started = Date.now();
    const results = await pool(cells, 8, ([row, fault]) => runCell(row, fault));
    const table = printMatrix(`OAuth 2.0 fault matrix (${Date.now() - started} ms)`, ROWS, OAUTH_FAULTS, results);
    const handles = await handlesSettle(baseline);
    t.true(handles <= baseline, `active handles ${handles} > baseline ${baseline}`);
    t.is(results.length, ROWS.length * OAUTH_FAULTS.length);
    t.deepEqual(
      results.filter((r) => r.problems.length > 0).map((r) => `${r.row}/${r.fault}: ${r.problems.join('; ')}`),
      [],
      table,
    );
  },
);

test.serial(
  'OAuth 2.0 with DPoP: each proof-carrying call meets a nonce challenge once (one retry, then ok) or always (one retry, then ERR_PROTOCOL)',
  async (t) => {
    const baseline = activeHandles();
    const cells = DPOP_ENDPOINTS.flatMap((row) => NONCE_CHALLENGES.map((column) => [row, column] as const));
    const started = Date.now();
    const results = await pool(cells, 4, ([row, column]) => runCell(row, column));
    const table = printMatrix(
      `OAuth 2.0 DPoP nonce challenges (${Date.now() - started} ms)`,
      DPOP_ENDPOINTS,
      NONCE_CHALLENGES,
      results,
    );
    const handles = await handlesSettle(baseline);
    t.true(handles <= baseline, `active handles ${handles} > baseline ${baseline}`);
    t.is(results.length, DPOP_ENDPOINTS.length * NONCE_CHALLENGES.length);
    t.deepEqual(
      results.filter((r) => r.problems.length > 0).map((r) => `${r.row}/${r.fault}: ${r.problems.join('; ')}`),
      [],
      table,
    );
  },
);
