import { readEdges, readStates, type GraphState } from './statechart-graph.js';

/** Mermaid state ids may not contain dots. */
const mermaidId = (id: string) => id.replace(/^auth\./, '').replace(/\./g, '_');

function stateBlock(state: GraphState, indent: string): string[] {
  const lines: string[] = [];
  for (const child of state.children) {
    if (child.children.length === 0) {
      lines.push(`${indent}state "${child.key}" as ${mermaidId(child.id)}`);
      continue;
    }
    lines.push(`${indent}state "${child.key}" as ${mermaidId(child.id)} {`);
    if (child.initial) lines.push(`${indent}  [*] --> ${mermaidId(`${child.id}.${child.initial}`)}`);
    lines.push(...stateBlock(child, `${indent}  `));
    lines.push(`${indent}}`);
  }
  return lines;
}

/** Mermaid stateDiagram-v2 source of the machine, nested states included. */
export function toMermaid(): string {
  const root = readStates();
  const lines = ['stateDiagram-v2', `  [*] --> ${mermaidId(`${root.id}.${root.initial}`)}`, ...stateBlock(root, '  ')];
  for (const edge of readEdges()) {
    lines.push(`  ${mermaidId(edge.from)} --> ${mermaidId(edge.to)}: ${edge.label.replace(/:/g, '')}`);
  }
  return `${lines.join('\n')}\n`;
}
