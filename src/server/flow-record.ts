/**
 * What a login service keeps in its FlowStore per login in flight: whose login it is and the
 * machine's persisted snapshot at awaitingUser. Versioned JSON, like the stored token set.
 *
 * The snapshot is kept without its invoked actors (`children`): in a service they are the
 * receiver, which only hands over the host's redirect URI, and a browser opener that does
 * nothing, so there is nothing of theirs to resume. The callback then resumes the flow without
 * rebuilding and restarting two actors, and Redis holds about a quarter less per flow.
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
