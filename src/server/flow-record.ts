/**
 * What a login service keeps in its FlowStore per login in flight: whose login it is and the
 * machine's persisted snapshot at awaitingUser. Versioned JSON, like the stored token set.
 *
 * The snapshot is kept without its invoked actors (`children`): the service's statechart invokes
 * none in awaitingUser (no receiver, no browser opener; see service-machine.ts), so there is
 * nothing of theirs to resume, and a snapshot from a host that did invoke them resumes alike.
 */
import { AuthError } from '../../adapters/errors.js';
import { isUserId } from './user-key.js';

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

/**
 * Reads a flow record back, refusing anything this version would not have written: another
 * version's layout or state names, or a record changed in the store. A snapshot the machine
 * cannot restore would otherwise fail inside XState, where nothing catches it.
 * @param state the state it was kept under: the flow's own must be the same.
 * @throws AuthError ERR_STORAGE, whose message holds nothing of the record (it holds secrets).
 */
export function decodeFlowRecord(text: string, location: string, state?: string): FlowRecord {
  let parsed: { v?: unknown; userId?: unknown; snapshot?: unknown } | null;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = null; // reported below, without the text: it holds the flow's secrets
  }
  const snapshot = parsed?.snapshot as
    | { status?: unknown; value?: unknown; context?: { session?: { state?: unknown } | null } | null }
    | null
    | undefined;
  if (
    parsed?.v !== 1 ||
    !isUserId(parsed.userId) ||
    typeof snapshot !== 'object' ||
    snapshot === null ||
    snapshot.status !== 'active' ||
    !isWaitingForRedirect(snapshot.value) ||
    typeof snapshot.context !== 'object' ||
    snapshot.context === null ||
    typeof snapshot.context.session !== 'object' ||
    snapshot.context.session === null ||
    typeof snapshot.context.session.state !== 'string' ||
    (state !== undefined && snapshot.context.session.state !== state)
  ) {
    throw new AuthError(
      'ERR_STORAGE',
      `A login in progress kept in ${location} is unreadable (changed, or kept by another version of authmachine). Start the login again.`,
    );
  }
  return { userId: parsed.userId, snapshot: { ...snapshot, children: {} } };
}

/** The only state a kept flow is in: waiting for the callback. */
function isWaitingForRedirect(value: unknown): boolean {
  const signingIn = (value as { signingIn?: unknown } | null)?.signingIn as { awaitingUser?: unknown } | undefined;
  return (
    typeof value === 'object' &&
    Object.keys(value as object).length === 1 &&
    typeof signingIn === 'object' &&
    signingIn !== null &&
    Object.keys(signingIn).length === 1 &&
    signingIn.awaitingUser === 'waitingForRedirect'
  );
}
