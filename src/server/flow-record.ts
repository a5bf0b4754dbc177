/**
 * What a login service keeps in its FlowStore per login in flight: whose login it is and the
 * machine's persisted snapshot at awaitingUser. Versioned JSON, like the stored token set.
 *
 * The snapshot is kept without its invoked actors (`children`): the service's statechart invokes
 * none in awaitingUser (no receiver, no browser opener; see service-machine.ts), so there is
 * nothing of theirs to resume, and a snapshot from a host that did invoke them resumes alike.
 */
import { AuthError } from '../../adapters/errors.js';

export interface FlowRecord {
  /** The host's own id of the person logging in. */
  userId: string;
  /** The machine's persisted snapshot (plain JSON; holds the flow's secrets). */
  snapshot: object;
}

export function encodeFlowRecord(record: FlowRecord): string {
  const { children: _running, ...snapshot } = record.snapshot as { children?: unknown };
  return JSON.stringify({ v: 1, userId: record.userId, snapshot });
}

export function decodeFlowRecord(text: string, location: string): FlowRecord {
  let parsed: { v?: unknown; userId?: unknown; snapshot?: unknown } | null;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = null; // reported below, without the text: it holds the flow's secrets
  }
  if (
    parsed?.v !== 1 ||
    typeof parsed.userId !== 'string' ||
    typeof parsed.snapshot !== 'object' ||
    parsed.snapshot === null
  ) {
    throw new AuthError('ERR_STORAGE', `A login in progress kept in ${location} is unreadable. Start the login again.`);
  }
  return { userId: parsed.userId, snapshot: { ...parsed.snapshot, children: {} } };
}
