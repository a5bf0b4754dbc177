/**
 * Start-up: `authmachine --help` and `authmachine status` (empty config dir: not logged in,
 * exit 3) as whole processes from the built CLI, against bare `node -e 0`. Round-robin over the
 * three commands so load drift hits all alike; median wall time from spawn to exit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, report, type Figure } from './lib/figures.js';
import { timedRun } from './lib/spawn-timed.js';

const WARMUP = 3;
const RUNS = 15;
const root = fileURLToPath(new URL('..', import.meta.url));

export async function startup(): Promise<Figure[]> {
  const configDir = await mkdtemp(join(tmpdir(), 'authmachine-bench-startup-'));
  const env = { PATH: process.env['PATH'] ?? '', HOME: configDir, AUTHMACHINE_CONFIG_DIR: configDir };
  const commands: Array<{ name: string; args: string[]; code: number }> = [
    { name: 'node -e 0', args: ['-e', '0'], code: 0 },
    { name: '--help', args: ['bin/authmachine.js', '--help'], code: 0 },
    { name: 'status', args: ['bin/authmachine.js', 'status'], code: 3 },
  ];
  const times = new Map(commands.map((c) => [c.name, [] as number[]]));
  try {
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const command of commands) {
        const run = await timedRun(process.execPath, command.args, { cwd: root, env });
        if (run.code !== command.code)
          throw new Error(`${command.name} exited ${run.code}, expected ${command.code} (is the CLI built?)`);
        if (i >= WARMUP) times.get(command.name)!.push(run.ms);
      }
    }
  } finally {
    await rm(configDir, { recursive: true, force: true });
  }
  const bare = { label: 'node -e 0', value: median(times.get('node -e 0')!) };
  return [
    {
      label: 'startup authmachine --help',
      value: median(times.get('--help')!),
      unit: 'ms',
      runs: RUNS,
      statistic: 'median',
      baseline: bare,
      target: { kind: 'max', ratio: 1.5 },
      note: 'node bin/authmachine.js --help (dist/esm), wall time spawn to exit.',
      cause:
        '--help loads only ten small modules of the CLI and no package (test/cli/startup-imports.test.ts): bin, main, io, exit-codes, ' +
        'help, parse, registry, report, usage-error, adapters/errors. The rest is Node starting its ESM loader and reading those files, ' +
        'which a loaded machine stretches (see the load average below); bundling the help path into one file is the next step if it matters.',
    },
    {
      label: 'startup authmachine status (not logged in)',
      value: median(times.get('status')!),
      unit: 'ms',
      runs: RUNS,
      statistic: 'median',
      baseline: bare,
      note: 'AUTHMACHINE_CONFIG_DIR = an empty tmp dir, exit 3 expected; no target set.',
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) report('startup', await startup());
