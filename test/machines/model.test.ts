/**
 * Model-based tests generated from the production machine: every path from machine-model.ts is
 * executed against a real actor with controllable actors and a SimulatedClock, checking the
 * state and the invariants after every step. Deterministic: no real time, no randomness.
 */
import test from 'ava';
import type { AnyTransitionDefinition, EventObject, InspectionEvent } from 'xstate';
import { authMachine } from '../../machines/auth-machine.js';
import type { AuthInput } from '../../machines/types.js';
import { FAST_CONFIG, flush, startHarness, type PromiseActorName } from '../helpers/machine-harness.js';
import { describePath, generatePaths, machineTransitions, transitionKey, type ModelPath } from '../helpers/machine-model.js';

type Harness = ReturnType<typeof startHarness>;

const TOKEN_STATES = ['authorized', 'fetching'];

function checkInvariants(h: Harness): string[] {
  const s = h.actor.getSnapshot();
  const problems: string[] = [];
  const top = typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]!;
  if (s.context.token !== null && !TOKEN_STATES.includes(top)) problems.push(`token held in ${top}`);
  if ((s.context.error !== null) !== (top === 'failed')) problems.push(`error ${s.context.error ? 'set' : 'unset'} in ${top}`);
  if (h.controller.receiverOpen !== (top === 'signingIn')) problems.push(`listener ${h.controller.receiverOpen ? 'open' : 'closed'} in ${top}`);
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

async function runPath(path: ModelPath, input: AuthInput, covered: Set<string>): Promise<string | null> {
  const h = startHarness(input);
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
    for (const t of (event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []) covered.add(transitionKey(t));
  }
}

const MODELS: Array<[string, AuthInput]> = [
  ['redirect', { config: { ...FAST_CONFIG, mode: 'redirect' } }],
  ['device', { config: { ...FAST_CONFIG, mode: 'device' } }],
];

test('every generated path runs on a real actor, and together they take 100% of the machine transitions', async (t) => {
  const covered = new Set<string>();
  const failures: string[] = [];
  let pathCount = 0;
  let stepCount = 0;
  const started = performance.now();
  for (const [name, input] of MODELS) {
    const paths = generatePaths(input);
    t.true(paths.length > 0, `the ${name} model has paths`);
    for (const path of paths) {
      pathCount++;
      stepCount += path.steps.length;
      const failure = await runPath(path, input, covered);
      if (failure) failures.push(`[${name}] ${describePath(path)}\n    ${failure}`);
    }
  }
  const all = machineTransitions().map(transitionKey);
  const missing = all.filter((key) => !covered.has(key));
  const percent = ((all.length - missing.length) / all.length) * 100;
  const seconds = (performance.now() - started) / 1000;
  t.log(`model-based: ${pathCount} paths, ${stepCount} steps, ${all.length - missing.length}/${all.length} transitions (${percent.toFixed(1)}%) in ${seconds.toFixed(1)} s`);
  console.log(`model-based: ${pathCount} paths, ${stepCount} steps, transitions covered ${all.length - missing.length}/${all.length} (${percent.toFixed(1)}%)`);
  t.deepEqual(failures.slice(0, 10), [], `${failures.length} paths failed`);
  t.deepEqual(missing, [], 'transitions no generated path takes');
});
