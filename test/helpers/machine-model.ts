/**
 * Derives test paths from the production statechart itself: explore its reachable states with
 * xstate/graph, then build one path per (state, handled event) edge, so every transition the
 * machine has is taken by at least one path. Nothing here restates the machine's behaviour.
 */
import { getAdjacencyMap } from 'xstate/graph';
import type { AnyStateNode, AnyTransitionDefinition, EventObject } from 'xstate';
import { authMachine } from '../../machines/auth-machine.js';
import type { AuthInput } from '../../machines/types.js';
import {
  errors,
  LATER,
  PROMISE_ACTORS,
  REDIRECT_URI,
  REFRESHED_TOKEN,
  START,
  START_DEVICE,
  START_MANUAL,
  TOKEN,
  TOKEN_WITH_REFRESH,
} from './machine-harness.js';

type Snapshot = ReturnType<typeof authMachine.getInitialSnapshot>;
export interface ModelStep {
  event: EventObject;
  state: Snapshot;
}
export interface ModelPath {
  steps: ModelStep[];
}

/** One output per kind of success each actor can have. */
const OUTPUTS: Record<(typeof PROMISE_ACTORS)[number], unknown[]> = {
  loadToken: [null, TOKEN, TOKEN_WITH_REFRESH],
  startAuthorization: [START, START_MANUAL, START_DEVICE],
  openBrowser: [undefined],
  pollDevice: [{ status: 'pending' }, { status: 'slow_down' }, { status: 'approved', token: TOKEN_WITH_REFRESH }],
  exchangeCode: [TOKEN, TOKEN_WITH_REFRESH],
  saveToken: [undefined],
  fetchResource: [{ ok: true }],
  refreshToken: [REFRESHED_TOKEN],
  clearToken: [undefined],
  logout: [undefined],
  // Gone; renewed by another process; still the refused one (refreshable or not).
  // Saved; a newer login was there; logged out meanwhile.
  saveRenewedToken: [{ saved: true }, { saved: false, stored: TOKEN }, { saved: false, stored: null }],
  rereadToken: [
    { stored: null, renewed: false },
    { stored: REFRESHED_TOKEN, renewed: true },
    { stored: TOKEN_WITH_REFRESH, renewed: false },
    { stored: TOKEN, renewed: false },
  ],
};

/** One error per kind: transient, permanent, dead token, wait too long. */
const ERRORS = [errors.network, errors.declined, errors.tokenInvalid, errors.rateLimitedLong];

function allStateNodes(node: AnyStateNode = authMachine.root): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => allStateNodes(child as AnyStateNode))];
}

/** Every transition the machine defines, counted from the machine. */
export function machineTransitions(): AnyTransitionDefinition[] {
  return allStateNodes().flatMap((node) => [...[...node.transitions.values()].flat(), ...(node.always ?? [])]);
}

export function transitionKey(t: AnyTransitionDefinition): string {
  const index = t.source.always?.includes(t)
    ? t.source.always.indexOf(t)
    : (t.source.transitions.get(t.eventType) ?? []).indexOf(t);
  return `${t.source.id} --${t.eventType || 'always'}#${index}--> ${(t.target ?? []).map((n) => n.id).join(',') || '(self)'}`;
}

const delayedEventTypes = allStateNodes().flatMap((node) => node.after.map((t) => t.eventType));

function candidateEvents(): EventObject[] {
  const events: EventObject[] = [
    { type: 'LOGIN' },
    { type: 'LOGIN', force: true } as EventObject,
    { type: 'LOGIN', signIn: false } as EventObject,
    { type: 'CANCEL' },
    { type: 'RETRY' },
    { type: 'LOGOUT' },
    { type: 'FETCH', id: 'f1', request: { path: '/resource' } } as EventObject,
    { type: 'FETCH', id: 'f2', request: { path: '/resource' }, now: LATER } as EventObject,
    { type: 'REFRESH', id: 'r1' } as EventObject,
    { type: 'REFRESH', id: 'r2', now: LATER } as EventObject,
    { type: 'LOCK_ACQUIRED' },
    { type: 'LOCK_FAILED', error: errors.storage } as EventObject,
    { type: 'LOGIN_LOCK_BUSY', holder: 4242 } as EventObject,
    { type: 'LOGIN_LOCK_ACQUIRED' },
    { type: 'LOGIN_LOCK_FAILED', error: errors.storage } as EventObject,
    { type: 'REDIRECT_READY', redirectUri: REDIRECT_URI } as EventObject,
    { type: 'CALLBACK', params: { state: START.session.state, code: 'code-secret' } } as EventObject,
    { type: 'CALLBACK', params: { state: 'forged', code: 'evil' } } as EventObject,
    { type: 'USER_CONFIRMED' },
    {
      type: 'RECEIVER_FAILED',
      error: { code: 'ERR_LISTENER', message: 'Port in use.', retryable: false },
    } as EventObject,
    ...delayedEventTypes.map((type) => ({ type })),
  ];
  for (const src of PROMISE_ACTORS) {
    for (const output of OUTPUTS[src]) events.push({ type: `xstate.done.actor.${src}`, output } as EventObject);
    for (const error of ERRORS) events.push({ type: `xstate.error.actor.${src}`, error } as EventObject);
  }
  return events;
}

/** Which context fields decide future behaviour; the rest (counters, URLs) would make the graph infinite. */
function serialize(snapshot: Snapshot): string {
  const c = snapshot.context;
  return JSON.stringify([
    snapshot.value,
    c.attempt,
    c.force,
    c.signIn,
    c.waitedForLogin,
    c.refreshed,
    c.pendingFetch?.refreshOnly === true,
    c.token === null ? 0 : c.token.refreshToken ? 2 : 1,
    c.session === null ? 0 : c.session.state === null ? 1 : 2,
    c.error?.code ?? null,
  ]);
}

/** Paths from the initial state that, together, take every edge of the reachable graph. */
export function generatePaths(input: AuthInput): ModelPath[] {
  const events = candidateEvents();
  type Adjacency = Record<
    string,
    { state: unknown; transitions: Record<string, { event: EventObject; state: unknown }> }
  >;
  const adjacency: Adjacency = getAdjacencyMap(
    authMachine as never,
    {
      input,
      events,
      serializeState: (s: unknown) => serialize(s as Snapshot),
      serializeEvent: (e: EventObject) => JSON.stringify(e),
    } as never,
  ) as Adjacency;
  // Breadth-first: the shortest path to every reachable state.
  const initialKey = Object.keys(adjacency)[0]!; // traversal starts at the initial state
  const shortest = new Map<string, ModelStep[]>([[initialKey, []]]);
  const queue = [initialKey];
  while (queue.length > 0) {
    const key = queue.shift()!;
    for (const { event, state } of Object.values(adjacency[key]!.transitions)) {
      const next = serialize(state as Snapshot);
      if (!shortest.has(next)) {
        shortest.set(next, [...shortest.get(key)!, { event, state: state as Snapshot }]);
        queue.push(next);
      }
    }
  }
  const paths: ModelPath[] = [];
  for (const [key, prefix] of shortest) {
    const from = adjacency[key]!.state as Snapshot;
    for (const { event, state } of Object.values(adjacency[key]!.transitions)) {
      if (!from.can(event as never)) continue;
      paths.push({ steps: [...prefix, { event, state: state as Snapshot }] });
    }
  }
  return paths;
}

export function describePath(path: ModelPath): string {
  return path.steps.map((s) => s.event.type.replace('xstate.', '')).join(' > ');
}
