/**
 * Model-based tests generated from the production machine: every path from machine-model.ts is
 * executed against a real actor with controllable actors and a SimulatedClock, checking the
 * state and the invariants after every step. Deterministic: no real time, no randomness.
 */
import test from 'ava';
import { describePath, generatePaths, machineTransitions, transitionKey } from '../helpers/machine-model.js';
import { MODELS, runPath } from '../helpers/model-executor.js';

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
  t.log(
    `model-based: ${pathCount} paths, ${stepCount} steps, ${all.length - missing.length}/${all.length} transitions (${percent.toFixed(1)}%) in ${seconds.toFixed(1)} s`,
  );
  console.log(
    `model-based: ${pathCount} paths, ${stepCount} steps, transitions covered ${all.length - missing.length}/${all.length} (${percent.toFixed(1)}%)`,
  );
  t.deepEqual(failures.slice(0, 10), [], `${failures.length} paths failed`);
  t.deepEqual(missing, [], 'transitions no generated path takes');
});
