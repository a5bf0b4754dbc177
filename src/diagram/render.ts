import { toDot } from './dot.js';
import { toMermaid } from './mermaid.js';
import { toOverviewDot } from './overview.js';

/** The contents of diagrams/, derived from the machine. Needs the dev dependency @hpcc-js/wasm-graphviz. */
export async function renderDiagrams(): Promise<Record<string, string>> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  const dot = toDot();
  const overview = toOverviewDot();
  return {
    'auth-machine.mmd': toMermaid(),
    'auth-machine.dot': dot,
    'auth-machine.svg': graphviz.dot(dot, 'svg'),
    'auth-overview.dot': overview,
    'auth-overview.svg': graphviz.dot(overview, 'svg'),
  };
}
