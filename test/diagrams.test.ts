import test from 'ava';
import { readFileSync } from 'node:fs';
import { machineTransitions } from './helpers/machine-model.js';
import { renderDiagrams } from '../src/diagram/render.js';
import { readEdges, readStates, type GraphState } from '../src/diagram/statechart-graph.js';

test('the checked-in diagrams match the machine (run `npm run diagrams` after changing it)', async (t) => {
  const fresh = await renderDiagrams();
  for (const [name, content] of Object.entries(fresh)) {
    const checkedIn = readFileSync(new URL(`../diagrams/${name}`, import.meta.url), 'utf8');
    t.is(checkedIn, content, `diagrams/${name} is stale`);
  }
});

test('the drawing has every state and every targeted transition of the machine', (t) => {
  const ids: string[] = [];
  const walk = (s: GraphState) => (ids.push(s.id), s.children.forEach(walk));
  walk(readStates());
  for (const id of ['auth.idle', 'auth.signingIn.requestingToken', 'auth.signingIn.awaitingUser', 'auth.exchanging', 'auth.authorized', 'auth.fetching', 'auth.failed']) {
    t.true(ids.includes(id), id);
  }
  const targeted = new Set(
    machineTransitions()
      .filter((tr) => (tr.target ?? []).length > 0)
      .map((tr) => `${tr.source.id}->${tr.target![0]!.id}`),
  );
  const drawn = new Set(readEdges().map((e) => `${e.from}->${e.to}`));
  t.deepEqual([...targeted].filter((k) => !drawn.has(k)), []);
  const svg = readFileSync(new URL('../diagrams/auth-machine.svg', import.meta.url), 'utf8');
  t.true(svg.includes('id="auth.signingIn.awaitingUser.waitingForRedirect"'), 'SVG nodes carry state ids for the inspector');
});
