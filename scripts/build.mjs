// Builds ESM (dist/esm) and CommonJS (dist/cjs) with declarations, so hosts on either module
// system can load the package. Each output folder carries its own package.json "type".
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

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
