import { readEdges, readStates, type GraphState } from './statechart-graph.js';

const quote = (text: string) => `"${text.replace(/"/g, '\\"')}"`;

/** The state's description, shown when the pointer rests on it. */
const tooltip = (state: GraphState) => (state.description ? `, tooltip=${quote(state.description)}` : '');

/**
 * Graphviz source of the machine. Node ids are the machine's state ids, so the SVG's
 * <g id="..."> elements can be highlighted live by the inspector.
 */
export function toDot(): string {
  const lines = [
    'digraph auth {',
    '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, compound=true, nodesep=0.35, ranksep=0.45];',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];
  const emit = (state: GraphState, indent: string) => {
    for (const child of state.children) {
      if (child.children.length === 0) {
        lines.push(`${indent}${quote(child.id)} [id=${quote(child.id)}, label=${quote(child.key)}${tooltip(child)}];`);
        continue;
      }
      lines.push(`${indent}subgraph ${quote(`cluster_${child.id}`)} {`);
      lines.push(
        `${indent}  id=${quote(child.id)}; label=${quote(child.key)}; style="rounded"; color="#888888";${child.description ? ` tooltip=${quote(child.description)};` : ''}`,
      );
      emit(child, `${indent}  `);
      lines.push(`${indent}}`);
    }
  };
  emit(readStates(), '  ');
  // Edges to or from a compound state attach to its initial leaf, clipped at the cluster border.
  const leafOf = (id: string, root = readStates()): { leaf: string; cluster: string | null } => {
    const find = (s: GraphState): GraphState | null => (s.id === id ? s : (s.children.map(find).find(Boolean) ?? null));
    let state = find(root);
    if (!state || state.children.length === 0) return { leaf: id, cluster: null };
    const cluster = state.id;
    for (let next: GraphState | undefined = state; next; ) {
      state = next;
      const initial: string | null = state.initial;
      next = state.children.find((c) => c.key === initial) ?? state.children[0];
    }
    return { leaf: state.id, cluster };
  };
  for (const edge of readEdges()) {
    const from = leafOf(edge.from);
    const to = leafOf(edge.to);
    const attrs = [`label=${quote(edge.label)}`];
    // Failure and cancel edges go everywhere; drawn light and kept out of the layout, the main
    // path reads top to bottom.
    if (edge.to === 'auth.failed')
      attrs.push('constraint=false', 'color="#c0392b"', 'fontcolor="#c0392b"', 'style=dashed');
    else if (edge.to === 'auth.idle')
      attrs.push('constraint=false', 'color="#999999"', 'fontcolor="#777777"', 'style=dotted');
    if (from.cluster) attrs.push(`ltail=${quote(`cluster_${from.cluster}`)}`);
    if (to.cluster) attrs.push(`lhead=${quote(`cluster_${to.cluster}`)}`);
    lines.push(`  ${quote(from.leaf)} -> ${quote(to.leaf)} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
