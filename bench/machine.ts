/**
 * The machine itself. (1) Transitions per second: the production statechart runs login, a fetch
 * and logout in a loop with actors that resolve at once; transitions are counted from the
 * inspection stream (@xstate.microstep). The baseline awaits the same already-resolved actor
 * calls in plain async code, so the ratio is the machine's own cost per loop.
 * (2) The model-based suite's throughput: generatePaths (test/helpers/machine-model.ts) and the
 * test's executor (test/helpers/model-executor.ts) over both models; no baseline.
 */
import { createActor, fromCallback, fromPromise, type AnyTransitionDefinition, type InspectionEvent } from 'xstate';
import { authMachine } from '../machines/auth-machine.js';
import type { ExpectEvent } from '../machines/types.js';
import { FAST_CONFIG, REDIRECT_URI, START, TOKEN } from '../test/helpers/machine-harness.js';
import { generatePaths } from '../test/helpers/machine-model.js';
import { MODELS, runPath } from '../test/helpers/model-executor.js';
import { median, report, type Figure } from './lib/figures.js';

const LOOPS = 500;
const SAMPLES = 5;

function instantActors() {
  const resolved = (value: unknown) => fromPromise(async () => value);
  return {
    loadToken: resolved(null),
    startAuthorization: resolved(START),
    openBrowser: resolved(undefined),
    exchangeCode: resolved(TOKEN),
    saveToken: resolved(undefined),
    fetchResource: resolved({ ok: true }),
    logout: resolved(undefined),
    receiveRedirect: fromCallback<ExpectEvent>(({ sendBack, receive }) => {
      queueMicrotask(() => sendBack({ type: 'REDIRECT_READY', redirectUri: REDIRECT_URI }));
      receive((event) =>
        queueMicrotask(() => sendBack({ type: 'CALLBACK', params: { state: event.state ?? '', code: 'code' } })),
      );
    }),
  };
}

/** `loops` of LOGIN > FETCH > LOGOUT on one actor; returns elapsed ms and transitions taken. */
async function machineLoops(loops: number): Promise<{ ms: number; transitions: number }> {
  let transitions = 0;
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.microstep')
      transitions += ((event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []).length;
  };
  const actor = createActor(authMachine.provide({ actors: instantActors() as never }), {
    input: { config: FAST_CONFIG },
    inspect,
  });
  actor.start();
  const until = (done: (s: ReturnType<typeof actor.getSnapshot>) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const sub = actor.subscribe((s) => {
        if (s.matches('failed')) reject(new Error(`failed: ${s.context.error?.code}`));
        else if (done(s)) sub.unsubscribe(), resolve();
      });
    });
  const start = performance.now();
  for (let i = 0; i < loops; i++) {
    let settled = until((s) => s.matches({ authorized: 'ready' }));
    actor.send({ type: 'LOGIN' });
    await settled;
    const fetched = new Promise<void>((resolve) => {
      const sub = actor.on('fetched', () => (sub.unsubscribe(), resolve()));
    });
    actor.send({ type: 'FETCH', id: String(i), request: { path: '/' } });
    await fetched;
    settled = until((s) => s.matches('idle'));
    actor.send({ type: 'LOGOUT' });
    await settled;
  }
  const ms = performance.now() - start;
  actor.stop();
  return { ms, transitions };
}

/** The same actor calls, already resolved, awaited in order without a machine. */
async function plainLoops(loops: number): Promise<number> {
  const actors = {
    loadToken: null,
    startAuthorization: START,
    openBrowser: undefined,
    exchangeCode: TOKEN,
    saveToken: undefined,
    fetchResource: { ok: true },
    logout: undefined,
  };
  const call = async <T>(value: T) => value;
  const start = performance.now();
  for (let i = 0; i < loops; i++) {
    if ((await call(actors.loadToken)) !== null) throw new Error('unexpected');
    await new Promise<void>((resolve) => queueMicrotask(resolve)); // receiver ready
    const started = await call(actors.startAuthorization);
    void call(actors.openBrowser);
    await new Promise<void>((resolve) => queueMicrotask(resolve)); // callback
    if (started.session.state !== 'state-1') throw new Error('unexpected');
    const token = await call(actors.exchangeCode);
    await call(actors.saveToken);
    await call(actors.fetchResource);
    await call(actors.logout);
    if (!token) throw new Error('unexpected');
  }
  return performance.now() - start;
}

export async function machine(): Promise<Figure[]> {
  await machineLoops(200);
  await plainLoops(200);
  const rates: number[] = [];
  const plainRates: number[] = [];
  let perLoop = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const { ms, transitions } = await machineLoops(LOOPS);
    perLoop = transitions / LOOPS;
    rates.push(transitions / (ms / 1000));
    plainRates.push((perLoop * LOOPS) / ((await plainLoops(LOOPS)) / 1000));
  }

  const generateStart = performance.now();
  const models = MODELS.map(([name, input]) => ({ name, input, paths: generatePaths(input) }));
  const generateMs = performance.now() - generateStart;
  const covered = new Set<string>();
  let paths = 0;
  let steps = 0;
  let failures = 0;
  const runStart = performance.now();
  for (const model of models) {
    for (const path of model.paths) {
      paths++;
      steps += path.steps.length;
      if ((await runPath(path, model.input, covered)) !== null) failures++;
    }
  }
  const runSeconds = (performance.now() - runStart) / 1000;
  if (failures > 0) throw new Error(`${failures} model paths failed: run test/machines/model.test.ts`);

  return [
    {
      label: 'machine transitions (login+fetch+logout loop, instant actors)',
      value: median(rates),
      unit: 'transitions/s',
      runs: SAMPLES,
      statistic: 'median',
      baseline: { label: 'plain async, same actor calls', value: median(plainRates) },
      note: `${perLoop} transitions per loop (counted from @xstate.microstep), ${LOOPS} loops per sample; no target set.`,
    },
    {
      label: 'model-based suite paths',
      value: paths / runSeconds,
      unit: 'paths/s',
      runs: 1,
      statistic: 'total',
      note: `${paths} paths, ${steps} steps (${(steps / runSeconds).toFixed(0)} steps/s) over the redirect and device models; generating them took ${(generateMs / 1000).toFixed(1)} s. Each step ends with 5 setImmediate turns (flush), which bounds the rate. No baseline or target.`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) report('machine', await machine());
