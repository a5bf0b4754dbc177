#!/usr/bin/env node
// Runs the compiled CLI (dist/, made by `npm run build`; `npm ci` builds it through "prepare").
// Exit codes: see `authmachine --help`.
// CommonJS (bin/package.json), so `token`'s fast path below starts without the ES module loader.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const argv = process.argv.slice(2);

/**
 * Leaves once what was written is flushed, even if a native call (a hung keychain) never returns.
 * A stream whose reader has gone (`| head`) has nothing left to flush: its error ends the wait.
 */
async function exit(code) {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) =>
        new Promise((resolve) => {
          stream.on('error', resolve);
          stream.write('', resolve);
        }),
    ),
  );
  process.exit(code);
}

async function run() {
  // `token` with a fresh token in a token file is what other tools run before each of their
  // commands: one bundled module answers it (src/cli/token-fast-path.ts); the full CLI does the rest.
  if (argv[0] === 'token') {
    const fastPath = join(__dirname, '..', 'dist', 'token-fast-path.cjs');
    const code = existsSync(fastPath) ? await require(fastPath).printFreshStoredToken(argv.slice(1)) : null;
    if (code !== null) return exit(code);
  }
  const entry = join(__dirname, '..', 'dist', 'esm', 'src', 'cli', 'main.js');
  if (!existsSync(entry)) {
    process.stderr.write(
      'authmachine is not built yet: run `npm run build` (or `npm ci`) in the authmachine folder first.\n',
    );
    return exit(1);
  }
  const { main } = await import(pathToFileURL(entry).href);
  return exit(await main(argv));
}

run();
