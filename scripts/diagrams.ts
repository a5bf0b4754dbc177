/**
 * Regenerates diagrams/ from the machine: Mermaid source, Graphviz source and an SVG rendered
 * offline by Graphviz compiled to WebAssembly. `npm run diagrams`; a test fails when they are stale.
 */
import { writeFileSync } from 'node:fs';
import { renderDiagrams } from '../src/diagram/render.js';

const files = await renderDiagrams();
for (const [name, content] of Object.entries(files)) {
  writeFileSync(new URL(`../diagrams/${name}`, import.meta.url), content);
  console.log(`wrote diagrams/${name}`);
}
