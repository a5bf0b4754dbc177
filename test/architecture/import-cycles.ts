/**
 * Import cycles in the shipped tree, found with TypeScript's own parser (see import-wall.ts). Every
 * way a file names a module counts as an arrow: static, type-only and lazy `import()` alike, since a
 * newcomer following any of them must not walk in a circle (and a lazy import back into its caller
 * still ties both modules to each other's load order).
 */
import { dirname, posix } from 'node:path';
import { moduleSpecifiers } from './import-wall.js';

/** A relative specifier as the repository path it names: `./x.js` -> `dir/x.ts`, a folder -> its index.ts. */
function resolveSpecifier(file: string, specifier: string, files: ReadonlySet<string>): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = posix.normalize(posix.join(dirname(file), specifier)).replace(/\.(m|c)?js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.mts`, `${base}/index.ts`, base]) {
    if (files.has(candidate)) return candidate;
  }
  return null;
}

/** The import graph of `sources` (repository path with `/` -> text): each file's local imports. */
export function importGraph(sources: ReadonlyMap<string, string>): Map<string, string[]> {
  const files = new Set(sources.keys());
  const graph = new Map<string, string[]>();
  for (const [file, text] of sources) {
    const targets = moduleSpecifiers(file, text)
      .map((specifier) => resolveSpecifier(file, specifier, files))
      .filter((target): target is string => target !== null);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * Every cycle, as the files of one strongly connected component (Tarjan), each listed in a
 * readable loop order starting from its first file by name. Empty when the graph has no cycle.
 */
export function importCycles(graph: ReadonlyMap<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const selfLoop = component.length === 1 && (graph.get(file) ?? []).includes(file);
    if (component.length > 1 || selfLoop) components.push(component.sort());
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return components.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}
