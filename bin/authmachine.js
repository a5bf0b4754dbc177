#!/usr/bin/env node
// Runs the compiled CLI (npm run build). Exit codes: see `authmachine --help`.
import { main } from '../dist/esm/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
