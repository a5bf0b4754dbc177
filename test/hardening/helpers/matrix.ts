/** Shared pieces of the fault-matrix tests: cell bookkeeping, leak checks, the printed table. */
import { connect } from 'node:net';
import type { RedirectListenOptions, RedirectReceiver } from '../../../adapters/contracts.js';
import { LoopbackReceiver, type LoopbackSession } from '../../../adapters/loopback-receiver.js';
import type { Fault } from './fault-server.js';

export const RETRIED = { hits: 3, retries: 2 };
export const ONCE = { hits: 1, retries: 0 };

/**
 * Any step that retries: transient faults (network, timeout, 5xx, 429) are tried maxAttempts (3)
 * times with Retry-After honoured (two waits of 1 s); answers that cannot be read, are too large
 * or redirect elsewhere fail at once.
 */
export const RETRYING_STEP: Record<Exclude<Fault, '403-limit'>, Expectation> = {
  refused: { code: 'ERR_NETWORK', hits: 0, retries: 2 },
  reset: { code: 'ERR_NETWORK', ...RETRIED },
  stall: { code: 'ERR_TIMEOUT', ...RETRIED },
  endless: { code: 'ERR_TIMEOUT', ...RETRIED },
  '5xx': { code: 'ERR_SERVER', ...RETRIED },
  '5xx+retry-after': { code: 'ERR_SERVER', ...RETRIED, minMs: 2000, delayMs: 1000 },
  '429+retry-after': { code: 'ERR_RATE_LIMITED', ...RETRIED, minMs: 2000, delayMs: 1000 },
  malformed: { code: 'ERR_BAD_RESPONSE', ...ONCE },
  html: { code: 'ERR_BAD_RESPONSE', ...ONCE },
  oversize: { code: 'ERR_RESPONSE_TOO_LARGE', ...ONCE },
  redirect: { code: 'ERR_REDIRECT_REFUSED', ...ONCE },
};

/** What a cell must end in. `code: 'ok'`: the call succeeds (the fault is not an error there). */
export interface Expectation {
  code: string;
  /** Requests the faulted endpoint must have received (refused: 0). */
  hits: number;
  /** `retrying` events the machine must have emitted. */
  retries: number;
  /** A lower bound on the cell's duration (Retry-After honoured). */
  minMs?: number;
  /** Every back-off the machine announced must be this long (the server's Retry-After). */
  delayMs?: number;
}

export interface CellResult {
  row: string;
  /** A transport fault, or another column such as the DPoP nonce challenge. */
  fault: Fault | string;
  code: string;
  state: string;
  hits: number;
  retries: number;
  delays: number[];
  ms: number;
  problems: string[];
}

/**
 * Real loopback listener that remembers its sessions, to check they are closed after. Asking
 * the session rather than probing the port: in a parallel suite another test may bind the same
 * ephemeral port the moment it is freed.
 */
export class RecordingReceiver implements RedirectReceiver {
  readonly sessions: LoopbackSession[] = [];
  readonly #inner = new LoopbackReceiver({ requestTimeoutMs: 2000 });

  async listen(options: RedirectListenOptions): Promise<LoopbackSession> {
    const session = await this.#inner.listen(options);
    this.sessions.push(session);
    return session;
  }

  get ports(): number[] {
    return this.sessions.map((session) => session.port);
  }

  /** Ports of sessions that still listen or hold a connection. */
  openPorts(): number[] {
    return this.sessions.filter((session) => session.open).map((session) => session.port);
  }
}

/** True when nothing accepts connections on 127.0.0.1:port any more. */
export function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** The back-offs the machine announced for one step (its `retrying` events), resettable. */
export function recordRetries(
  flow: { on(type: 'retrying', handler: (e: { step: string; delayMs: number }) => void): unknown },
  step: string,
) {
  const record = {
    delays: [] as number[],
    get count() {
      return record.delays.length;
    },
    reset() {
      record.delays.length = 0;
    },
  };
  flow.on('retrying', (e) => {
    if (e.step === step) record.delays.push(e.delayMs);
  });
  return record;
}

/** Runs tasks with at most `limit` at a time, results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(runners);
  return results;
}

/** Compares a cell's outcome with its expectation; returns what differs. */
export function judge(result: Omit<CellResult, 'problems'>, expected: Expectation): string[] {
  const problems: string[] = [];
  if (result.code !== expected.code) problems.push(`code ${result.code}, expected ${expected.code}`);
  if (result.hits !== expected.hits) problems.push(`${result.hits} hits, expected ${expected.hits}`);
  if (result.retries !== expected.retries) problems.push(`${result.retries} retries, expected ${expected.retries}`);
  if (expected.delayMs !== undefined && result.delays.some((d) => d !== expected.delayMs)) {
    problems.push(`back-offs ${result.delays.join(',')} ms, expected ${expected.delayMs} each`);
  }
  if (expected.minMs !== undefined && result.ms < expected.minMs)
    problems.push(`took ${result.ms} ms, expected >= ${expected.minMs}`);
  return problems;
}

/** Prints rows x faults with each cell's code (and hits), and the totals line. */
export function printMatrix(
  title: string,
  rows: readonly string[],
  faults: readonly string[],
  results: CellResult[],
): string {
  const cell = (row: string, fault: string) => {
    const r = results.find((x) => x.row === row && x.fault === fault);
    if (!r) return '-';
    const mark = r.problems.length === 0 ? '' : ' !!';
    return `${r.code.replace(/^ERR_/, '')}x${r.hits}${mark}`;
  };
  const width = 22;
  const lines = [title, ['call'.padEnd(14), ...faults.map((f) => f.padEnd(width))].join('')];
  for (const row of rows) lines.push([row.padEnd(14), ...faults.map((f) => cell(row, f).padEnd(width))].join(''));
  const passed = results.filter((r) => r.problems.length === 0).length;
  lines.push(
    `${results.length} cells, ${passed} passed, ${results.length - passed} failed (cell = code x hits on the faulted endpoint)`,
  );
  for (const r of results.filter((x) => x.problems.length > 0))
    lines.push(`  ${r.row} / ${r.fault}: ${r.problems.join('; ')}`);
  const text = lines.join('\n');
  console.log(text);
  return text;
}

/** Active handles (sockets, servers, timers) of this process, for a before/after comparison. */
export function activeHandles(): number {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
}

/** Waits until the handle count is back at `baseline` (or the time is up); returns the last count. */
export async function handlesSettle(baseline: number, withinMs = 3000): Promise<number> {
  const until = Date.now() + withinMs;
  while (activeHandles() > baseline && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return activeHandles();
}
