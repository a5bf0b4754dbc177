// Builds ESM (dist/esm) and CommonJS (dist/cjs) with declarations, so hosts on either module
// system can load the package. Each output folder carries its own package.json "type".
// Then bundles the `token` fast path into one file (see src/cli/token-fast-path.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname;
rmSync('dist', { recursive: true, force: true });
for (const [config, type] of [
  ['tsconfig.esm.json', 'module'],
  ['tsconfig.cjs.json', 'commonjs'],
]) {
  execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  const out = type === 'module' ? 'dist/esm' : 'dist/cjs';
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}/package.json`, `${JSON.stringify({ type })}\n`);
}

// A lazy import stays lazy: it points at the module tsc compiled into dist/esm instead of being
// pulled into the bundle (where its packages, such as axios, would load at start-up).
const lazyImportsStayInDistEsm = {
  name: 'lazy-imports-stay-in-dist-esm',
  setup(bundle) {
    bundle.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const source = relative(root, resolve(dirname(args.importer), args.path));
      return { path: `./esm/${source.split('\\').join('/')}`, external: true };
    });
  },
};

await build({
  entryPoints: ['src/cli/token-fast-path.ts'],
  outfile: 'dist/token-fast-path.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  plugins: [lazyImportsStayInDistEsm],
  logLevel: 'warning',
});
