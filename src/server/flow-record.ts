/**
 * What a login service keeps in its FlowStore per login in flight: whose login it is and the
 * machine's persisted snapshot at awaitingUser. Versioned JSON, like the stored token set.
 */
import { AuthError } from '../../adapters/errors.js';

export interface FlowRecord {
  /** The host's own id of the person logging in. */
  userId: string;
  /** The machine's persisted snapshot (plain JSON; holds the flow's secrets). */
  snapshot: unknown;
}

export function encodeFlowRecord(record: FlowRecord): string {
  return JSON.stringify({ v: 1, userId: record.userId, snapshot: record.snapshot });
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
  return { userId: parsed.userId, snapshot: parsed.snapshot };
}
