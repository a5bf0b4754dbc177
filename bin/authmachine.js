#!/usr/bin/env node
// Runs the compiled CLI (dist/, made by `npm run build`; `npm ci` builds it through "prepare").
// Exit codes: see `authmachine --help`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/esm/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'authmachine is not built yet: run `npm run build` (or `npm ci`) in the authmachine folder first.\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// A native call that never returns (a hung keychain) would keep the process alive after the
// command has reported it: leave as soon as what was written is flushed.
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))),
);
process.exit(code);
