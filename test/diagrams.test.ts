import test from 'ava';
import { readFileSync } from 'node:fs';
import { machineTransitions } from './helpers/machine-model.js';
import { renderDiagrams } from '../src/diagram/render.js';
import { readEdges, readStates, stateDescriptions, type GraphState } from '../src/diagram/statechart-graph.js';
import { OVERVIEW_STATES, readOverview } from '../src/diagram/overview.js';

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
  for (const id of [
    'auth.idle',
    'auth.signingIn.requestingToken',
    'auth.signingIn.awaitingUser',
    'auth.exchanging',
    'auth.authorized',
    'auth.fetching',
    'auth.failed',
  ]) {
    t.true(ids.includes(id), id);
  }
  const targeted = new Set(
    machineTransitions()
      .filter((tr) => (tr.target ?? []).length > 0)
      .map((tr) => `${tr.source.id}->${tr.target![0]!.id}`),
  );
  const drawn = new Set(readEdges().map((e) => `${e.from}->${e.to}`));
  t.deepEqual(
    [...targeted].filter((k) => !drawn.has(k)),
    [],
  );
  const svg = readFileSync(new URL('../diagrams/auth-machine.svg', import.meta.url), 'utf8');
  t.true(
    svg.includes('id="auth.signingIn.awaitingUser.waitingForRedirect"'),
    'SVG nodes carry state ids for the inspector',
  );
});

test("the overview folds every state of the machine into exactly one of the design card's boxes", (t) => {
  const { nodes } = readOverview();
  t.deepEqual(
    nodes.map((n) => n.key),
    [...OVERVIEW_STATES],
  );
  const all: string[] = [];
  const walk = (s: GraphState) => (all.push(s.id), s.children.forEach(walk));
  readStates().children.forEach(walk);
  const covered = nodes.flatMap((n) => n.covers);
  t.deepEqual([...covered].sort(), [...all].sort(), 'each state in one box, none twice');
  t.true(nodes.find((n) => n.key === 'requestingToken')!.covers.includes('auth.signingIn.preparing'));
});

test('the overview draws the happy path bold and summarises the error and cancel edges', (t) => {
  const { edges } = readOverview();
  const happy = edges.filter((e) => e.kind === 'happy').map((e) => `${e.from}->${e.to}`);
  t.deepEqual(happy, [
    'idle->checkingStore',
    'checkingStore->requestingToken',
    'requestingToken->awaitingUser',
    'awaitingUser->exchanging',
    'exchanging->authorized',
    'authorized->fetching',
  ]);
  // Nearly every step can fail or be cancelled: one edge each from the group, not one per step.
  t.deepEqual(
    edges.filter((e) => e.to === 'failed').map((e) => e.from),
    ['active'],
  );
  t.deepEqual(
    edges.filter((e) => e.to === 'idle' && e.from !== 'failed').map((e) => e.from),
    ['active'],
  );
  // Every box-to-box edge stands for at least one real transition between those boxes.
  const { nodes } = readOverview();
  const boxOf = new Map(nodes.flatMap((n) => n.covers.map((id) => [id, n.key] as const)));
  const real = new Set(readEdges().map((e) => `${boxOf.get(e.from)}->${boxOf.get(e.to)}`));
  for (const e of edges.filter((e) => e.from !== 'active' && e.to !== 'active'))
    t.true(real.has(`${e.from}->${e.to}`), `${e.from}->${e.to}`);
  const svg = readFileSync(new URL('../diagrams/auth-overview.svg', import.meta.url), 'utf8');
  t.true(svg.includes('id="overview:auth.signingIn.awaitingUser"'), 'SVG boxes carry ids for the inspector');
  t.regex(svg, /class="node [^"]*auth\.signingIn\.awaitingUser\.polling/, 'and the state ids they fold in, as classes');
});

test('every state of the machine says what it does, and both drawings show it when pointed at', (t) => {
  const missing: string[] = [];
  const walk = (s: GraphState) => (s.description ? null : missing.push(s.id), s.children.forEach(walk));
  readStates().children.forEach(walk);
  t.deepEqual(missing, []);
  const descriptions = stateDescriptions();
  const full = readFileSync(new URL('../diagrams/auth-machine.svg', import.meta.url), 'utf8');
  const overview = readFileSync(new URL('../diagrams/auth-overview.svg', import.meta.url), 'utf8');
  const asXml = (text: string) => text.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;');
  const shown = (svg: string, text: string) =>
    svg.includes(`xlink:title="${asXml(text)}"`) || svg.includes(`xlink:title="${text}"`);
  t.true(shown(full, descriptions['auth.fetching.rereading']!), 'a leaf in the full chart');
  t.true(shown(full, descriptions['auth.fetching']!), 'a compound state in the full chart');
  t.true(shown(overview, descriptions['auth.signingIn.awaitingUser']!), 'a box of the overview');
});
