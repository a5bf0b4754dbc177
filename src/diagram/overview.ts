/**
 * The overview drawing: the design card's states only, the happy path drawn bold, and the
 * error, cancel and retry edges that reach `failed` and `idle` from nearly every step summarised
 * as two edges from the "active" group. Derived from the machine like the full chart, so it can
 * never drift from the code; the full chart stays one click away.
 */
import { readEdges, readStates, type GraphEdge, type GraphState } from './statechart-graph.js';

/** The overview's boxes, by state key: the design card's states, plus the two the machine adds. */
export const OVERVIEW_STATES = [
  'idle',
  'checkingStore',
  'requestingToken',
  'awaitingUser',
  'exchanging',
  'authorized',
  'fetching',
  'failed',
] as const;

/** The path a first login takes, drawn bold. */
const HAPPY_PATH = ['idle', 'checkingStore', 'requestingToken', 'awaitingUser', 'exchanging', 'authorized', 'fetching'];

/** Outside the "active" group: edges to these from inside it are summarised. */
const RESTING = new Set(['idle', 'failed']);

export interface OverviewNode {
  key: string;
  /** The machine id of the state the box stands for, e.g. "auth.signingIn.awaitingUser". */
  id: string;
  /** Every machine state id folded into this box (itself, its descendants, unnamed neighbours). */
  covers: string[];
  description: string | null;
}

export interface OverviewEdge {
  from: string;
  to: string;
  label: string;
  kind: 'happy' | 'other' | 'back' | 'error' | 'cancel' | 'retry';
}

export interface Overview {
  nodes: OverviewNode[];
  edges: OverviewEdge[];
}

const isOverviewKey = (key: string) => (OVERVIEW_STATES as readonly string[]).includes(key);

function flatten(state: GraphState, parents: GraphState[] = []): Array<{ state: GraphState; parents: GraphState[] }> {
  return [{ state, parents }, ...state.children.flatMap((child) => flatten(child, [...parents, state]))];
}

/** The first overview state at or below `state`, in document order. */
function firstOverviewBelow(state: GraphState): GraphState | null {
  if (isOverviewKey(state.key)) return state;
  for (const child of state.children) {
    const found = firstOverviewBelow(child);
    if (found) return found;
  }
  return null;
}

/**
 * Which box a machine state is drawn in: its nearest overview ancestor (or itself); failing that
 * (signingIn, signingIn.preparing), the first overview state under its nearest ancestor.
 */
function boxOf(state: GraphState, parents: GraphState[]): GraphState | null {
  const line = [...parents, state];
  const nearestFirst = line.reverse();
  for (const s of nearestFirst) if (isOverviewKey(s.key)) return s;
  for (const s of nearestFirst) {
    const below = firstOverviewBelow(s);
    if (below) return below;
  }
  return null;
}

/** "done: exchangeCode [canRetry]" -> "done [canRetry]": the box already says which step. */
const shortLabel = (edge: GraphEdge) => edge.label.replace(/^(done|error): \S+/, '$1');

/** The overview graph, read from the machine. */
export function readOverview(): Overview {
  const root = readStates();
  const boxes = new Map<string, OverviewNode>();
  const boxOfId = new Map<string, string>();
  for (const { state, parents } of flatten(root).slice(1)) {
    const box = boxOf(state, parents);
    if (!box) continue;
    const node = boxes.get(box.key) ?? { key: box.key, id: box.id, covers: [], description: box.description };
    node.covers.push(state.id);
    boxes.set(box.key, node);
    boxOfId.set(state.id, box.key);
  }
  const nodes = OVERVIEW_STATES.flatMap((key) => boxes.get(key) ?? []);

  const labels = new Map<string, Set<string>>();
  for (const edge of readEdges()) {
    const from = boxOfId.get(edge.from);
    const to = boxOfId.get(edge.to);
    if (!from || !to || from === to) continue; // a step's own retries and sub-steps stay inside its box
    const pair = `${from}\u0000${to}`;
    const happy = HAPPY_PATH[HAPPY_PATH.indexOf(from) + 1] === to && HAPPY_PATH.includes(from);
    labels.set(
      pair,
      (labels.get(pair) ?? new Set()).add(happy ? edge.label.replace(/ \[.*\]$/, '') : shortLabel(edge)),
    );
  }

  const edges: OverviewEdge[] = [];
  const summarised = { error: new Set<string>(), cancel: new Set<string>(), retry: new Set<string>() };
  for (const [pair, names] of labels) {
    const [from, to] = pair.split('\u0000') as [string, string];
    const label = [...names].join(' / ');
    if (!RESTING.has(from) && to === 'failed') summarised.error.add(label);
    else if (!RESTING.has(from) && to === 'idle') summarised.cancel.add(label);
    else if (from === 'failed' && !RESTING.has(to))
      for (const name of names) summarised.retry.add(name.replace(/ \[.*\]$/, ''));
    else {
      const step = HAPPY_PATH.indexOf(from);
      const kind =
        step >= 0 && HAPPY_PATH[step + 1] === to ? 'happy' : RESTING.has(from) && from !== 'idle' ? 'back' : 'other';
      edges.push({ from, to, label, kind });
    }
  }
  if (summarised.error.size > 0)
    edges.push({ from: 'active', to: 'failed', label: 'permanent error (any step)', kind: 'error' });
  if (summarised.retry.size > 0)
    edges.push({ from: 'failed', to: 'active', label: [...summarised.retry].join(' / '), kind: 'retry' });
  if (summarised.cancel.size > 0)
    edges.push({ from: 'active', to: 'idle', label: 'CANCEL / logged out', kind: 'cancel' });
  return { nodes, edges };
}

/** The overview's ids in the SVG are prefixed so the full chart can sit on the same page. */
export const OVERVIEW_ID_PREFIX = 'overview:';

const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const EDGE_STYLE: Record<OverviewEdge['kind'], string> = {
  happy: 'penwidth=2.6, color="#1f5fbf", fontcolor="#1f5fbf"',
  other: 'color="#555555", fontcolor="#333333"',
  back: 'color="#555555", fontcolor="#333333", constraint=false',
  error: 'style=dashed, color="#c0392b", fontcolor="#c0392b", ltail="cluster_active"',
  retry: 'color="#555555", fontcolor="#333333", lhead="cluster_active", constraint=false',
  cancel: 'style=dotted, color="#777777", fontcolor="#555555", ltail="cluster_active", constraint=false',
};

/** Graphviz source of the overview. Each box carries its machine state ids as SVG classes. */
export function toOverviewDot(overview: Overview = readOverview()): string {
  const node = (n: OverviewNode) => {
    const attrs = [
      `id=${quote(OVERVIEW_ID_PREFIX + n.id)}`,
      `class=${quote(n.covers.join(' '))}`,
      `label=${quote(n.key)}`,
    ];
    if (n.description) attrs.push(`tooltip=${quote(n.description)}`);
    return `${quote(n.key)} [${attrs.join(', ')}];`;
  };
  const inside = overview.nodes.filter((n) => !RESTING.has(n.key));
  const lines = [
    'digraph overview {',
    '  graph [rankdir=TB, fontname="Helvetica", fontsize=13, compound=true, nodesep=0.5, ranksep=0.5];',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=16, margin="0.25,0.08"];',
    '  edge [fontname="Helvetica", fontsize=13];',
    ...overview.nodes.filter((n) => RESTING.has(n.key)).map((n) => `  ${node(n)}`),
    // idle on top, failed at the bottom: the happy path reads downwards between them.
    '  { rank=min; "idle"; }',
    '  { rank=max; "failed"; }',
    '  subgraph "cluster_active" {',
    '    id="overview:active"; label="active steps (transient errors are retried inside each)"; style="rounded,dashed"; color="#999999"; fontcolor="#555555";',
    ...inside.map((n) => `    ${node(n)}`),
    '  }',
  ];
  // A summarised edge leaves or enters the group's border; Graphviz needs a member to attach it to.
  const anchor = inside[inside.length - 1]?.key ?? 'idle';
  for (const edge of overview.edges) {
    const from = edge.from === 'active' ? anchor : edge.from;
    const to = edge.to === 'active' ? anchor : edge.to;
    lines.push(`  ${quote(from)} -> ${quote(to)} [label=${quote(` ${edge.label} `)}, ${EDGE_STYLE[edge.kind]}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
