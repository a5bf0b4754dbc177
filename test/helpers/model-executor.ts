/**
 * Executes model paths (from machine-model.ts) against a real actor with controllable actors and
 * a SimulatedClock, checking the state and the invariants after every step. Shared by the
 * model-based test and the machine benchmark (bench/machine.ts).
 */
import type { AnyTransitionDefinition, EventObject, InspectionEvent } from 'xstate';
import { authMachine } from '../../machines/auth-machine.js';
import type { AuthInput } from '../../machines/types.js';
import { FAST_CONFIG, flush, startHarness, type PromiseActorName } from './machine-harness.js';
import { transitionKey, type ModelPath } from './machine-model.js';

type Harness = ReturnType<typeof startHarness>;

const TOKEN_STATES = ['authorized', 'fetching'];

function checkInvariants(h: Harness): string[] {
  const s = h.actor.getSnapshot();
  const problems: string[] = [];
  const top = typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]!;
  if (s.context.token !== null && !TOKEN_STATES.includes(top)) problems.push(`token held in ${top}`);
  if ((s.context.error !== null) !== (top === 'failed'))
    problems.push(`error ${s.context.error ? 'set' : 'unset'} in ${top}`);
  if (h.controller.receiverOpen !== (top === 'signingIn'))
    problems.push(`listener ${h.controller.receiverOpen ? 'open' : 'closed'} in ${top}`);
  // The renewal lock is wanted only while renewing or saving a new login, and lives only there.
  const savingLogin = s.matches({ authorized: 'saving' } as never);
  const renewing = [
    'acquiringLock',
    'rereading',
    'renewedElsewhere',
    'refreshing',
    'savingRefreshed',
    'clearingToken',
  ].some((name) => s.matches({ fetching: name } as never));
  if (h.controller.lockWanted && !renewing && !savingLogin) problems.push(`lock held in ${JSON.stringify(s.value)}`);
  if (h.controller.lockActorAlive !== (top === 'fetching' || savingLogin))
    problems.push(`lock actor ${h.controller.lockActorAlive ? 'alive' : 'gone'} in ${JSON.stringify(s.value)}`);
  // The login lock is held from the wait for it until the attempt ends: never at rest or while fetching.
  const loggingIn =
    s.matches({ checkingStore: 'waitingForLogin' } as never) ||
    s.matches({ checkingStore: 'rereading' } as never) ||
    ['signingIn', 'exchanging'].includes(top) ||
    savingLogin;
  if (h.controller.loginLockWanted && !loggingIn) problems.push(`login lock held in ${JSON.stringify(s.value)}`);
  // Every running invocation belongs to a child the current state still has.
  for (const invocation of h.controller.live()) {
    if (!(invocation.src in s.children)) problems.push(`${invocation.src} still running in ${JSON.stringify(s.value)}`);
  }
  for (const invocation of h.controller.invocations) {
    if (!(invocation.signal instanceof AbortSignal)) problems.push(`${invocation.src} got no AbortSignal`);
  }
  return problems;
}

async function perform(h: Harness, event: EventObject): Promise<void> {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(event.type);
  const error = /^xstate\.error\.actor\.(.+)$/.exec(event.type);
  const after = /^xstate\.after\.([^.]+)\./.exec(event.type);
  if (done) h.controller.pending(done[1] as PromiseActorName).resolve((event as { output?: unknown }).output);
  else if (error) h.controller.pending(error[1] as PromiseActorName).reject((event as { error?: unknown }).error);
  else if (after) {
    const delay = authMachine.implementations.delays[after[1]!] as (args: unknown) => number;
    h.clock.increment(delay({ context: h.actor.getSnapshot().context, event }));
  } else h.actor.send(event as never);
  await flush();
}

/**
 * Runs one path on a fresh actor; adds every transition taken to `covered`. Returns null when
 * every step reached the expected state with the invariants holding, else what went wrong.
 */
export async function runPath(path: ModelPath, input: AuthInput, covered: Set<string>): Promise<string | null> {
  const h = startHarness(input, 'manual');
  const seen = h.inspected.length;
  try {
    for (const [index, step] of path.steps.entries()) {
      const before = h.inspected.length;
      await perform(h, step.event);
      record(h.inspected.slice(before), covered);
      const actual = h.actor.getSnapshot();
      if (JSON.stringify(actual.value) !== JSON.stringify(step.state.value)) {
        return `step ${index + 1} (${step.event.type}): expected ${JSON.stringify(step.state.value)}, got ${JSON.stringify(actual.value)}`;
      }
      const problems = checkInvariants(h);
      if (problems.length > 0) return `step ${index + 1} (${step.event.type}): ${problems.join('; ')}`;
    }
    record(h.inspected.slice(0, seen), covered);
    return null;
  } finally {
    h.actor.stop();
  }
}

function record(events: InspectionEvent[], covered: Set<string>): void {
  for (const event of events) {
    if (event.type !== '@xstate.microstep') continue;
    for (const t of (event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? [])
      covered.add(transitionKey(t));
  }
}

/** The two machine configurations the model is generated for. */
export const MODELS: Array<[string, AuthInput]> = [
  ['redirect', { config: { ...FAST_CONFIG, mode: 'redirect' } }],
  ['device', { config: { ...FAST_CONFIG, mode: 'device' } }],
];
