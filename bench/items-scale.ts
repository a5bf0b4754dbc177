/**
 * Fetching at scale: `authmachine items --all --ndjson` (the built CLI, a logged-in profile with
 * a file token store in a tmp config dir) over 100,000 synthetic items from the emulator in this
 * process, against bench/fixtures/bare-pager.mjs (axios paging /v3/get, same page size 500).
 * Output is piped here and only its lines are counted. Peak memory is the child's max RSS as
 * GNU time (/usr/bin/time -f %M) reports it: the kernel's own high-water mark, whole process.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPocketEmulator, type PocketEmulator } from '../src/pocket/emulator/index.js';
import { writePocketLogin } from '../test/helpers/cli-profile.js';
import { median, report, type Figure } from './lib/figures.js';

const LARGE = 100_000;
const SMALL = 10_000;
const RUNS = 3;
const OLD_SPACE_CAP_MIB = 32;
const GNU_TIME = '/usr/bin/time';
const root = fileURLToPath(new URL('..', import.meta.url));

interface ChildRun {
  ms: number;
  lines: number;
  maxRssKiB: number;
}

/** Runs `node args` under GNU time, counting stdout lines. */
async function measured(
  args: string[],
  env: NodeJS.ProcessEnv,
  scratch: string,
  nodeFlags: string[] = [],
): Promise<ChildRun> {
  const rssFile = join(scratch, `rss-${Math.random().toString(36).slice(2)}`);
  const start = performance.now();
  const { lines, code } = await new Promise<{ lines: number; code: number | null }>((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...nodeFlags, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let count = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
    });
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ lines: count, code: exitCode }));
  });
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`node ${args[0]} exited ${code}`);
  const maxRssKiB = Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop());
  return { ms, lines, maxRssKiB };
}

interface Target {
  emulator: PocketEmulator;
  cliEnv: NodeJS.ProcessEnv;
  bareEnv: NodeJS.ProcessEnv;
}

async function prepare(items: number, scratch: string): Promise<Target> {
  const emulator = await startPocketEmulator({ syntheticItems: items, rateLimits: { userLimit: 1e9, keyLimit: 1e9 } });
  const configDir = join(scratch, `config-${items}`);
  const accessToken = emulator.issueAccessToken();
  await writePocketLogin(configDir, {
    baseUrl: emulator.url,
    consumerKey: emulator.consumerKey,
    accessToken,
    username: emulator.username,
  });
  const base = { PATH: process.env['PATH'] ?? '', HOME: scratch };
  return {
    emulator,
    cliEnv: { ...base, AUTHMACHINE_CONFIG_DIR: configDir },
    bareEnv: {
      ...base,
      POCKET_URL: emulator.url,
      POCKET_CONSUMER_KEY: emulator.consumerKey,
      POCKET_ACCESS_TOKEN: accessToken,
      PAGE_SIZE: '500',
    },
  };
}

const CLI = ['bin/authmachine.js', 'items', '--all', '--ndjson'];
const BARE = ['bench/fixtures/bare-pager.mjs'];

export async function itemsScale(): Promise<Figure[]> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is needed for peak memory (apt-get install time).`);
  const scratch = await mkdtemp(join(tmpdir(), 'authmachine-bench-items-'));
  const large = await prepare(LARGE, scratch);
  const small = await prepare(SMALL, scratch);
  const runs = {
    cli: [] as ChildRun[],
    bare: [] as ChildRun[],
    cliSmall: [] as ChildRun[],
    bareSmall: [] as ChildRun[],
  };
  let capped: ChildRun;
  try {
    const check = (run: ChildRun, expected: number, what: string) => {
      if (run.lines !== expected) throw new Error(`${what} printed ${run.lines} lines, expected ${expected}`);
      return run;
    };
    for (let i = 0; i < RUNS; i++) {
      const pair = [
        async () => runs.cli.push(check(await measured(CLI, large.cliEnv, scratch), LARGE, 'the CLI')),
        async () => runs.bare.push(check(await measured(BARE, large.bareEnv, scratch), LARGE, 'the bare loop')),
      ];
      if (i % 2 === 1) pair.reverse();
      for (const step of pair) await step();
      runs.cliSmall.push(check(await measured(CLI, small.cliEnv, scratch), SMALL, 'the CLI'));
      runs.bareSmall.push(check(await measured(BARE, small.bareEnv, scratch), SMALL, 'the bare loop'));
    }
    // Evidence for the cause: a CLI that held items could not finish 100,000 under a small heap cap.
    capped = check(
      await measured(CLI, large.cliEnv, scratch, [`--max-old-space-size=${OLD_SPACE_CAP_MIB}`]),
      LARGE,
      'the capped CLI',
    );
  } finally {
    await large.emulator.close();
    await small.emulator.close();
    await rm(scratch, { recursive: true, force: true });
  }
  const rate = (list: ChildRun[], n: number) => median(list.map((r) => n / (r.ms / 1000)));
  const rssMiB = (list: ChildRun[]) => median(list.map((r) => r.maxRssKiB / 1024));
  return [
    {
      label: `items --all --ndjson, ${LARGE.toLocaleString('en-US')} items`,
      value: rate(runs.cli, LARGE),
      unit: 'items/s',
      runs: RUNS,
      statistic: 'median',
      baseline: { label: 'bare axios paging loop', value: rate(runs.bare, LARGE) },
      target: { kind: 'min', ratio: 0.8 },
      note: 'Whole process (start-up included), page size 500 for both, stdout piped to the bench and counted.',
      cause:
        'Per page the CLI also sends a FETCH through the machine, converts 500 items to PocketItem and sorts them before re-serialising; on a loaded machine with 3 runs the ratio swings around the target (see the analysis).',
    },
    {
      label: `items --all --ndjson peak RSS, ${LARGE.toLocaleString('en-US')} vs ${SMALL.toLocaleString('en-US')} items`,
      value: rssMiB(runs.cli),
      unit: 'MiB',
      runs: RUNS,
      statistic: 'median',
      baseline: { label: `same CLI at ${SMALL.toLocaleString('en-US')} items`, value: rssMiB(runs.cliSmall) },
      target: { kind: 'max', ratio: 1.2 },
      note: `Max RSS from GNU time. The bare loop peaks at ${rssMiB(runs.bare).toFixed(1)} MiB (100k) and ${rssMiB(runs.bareSmall).toFixed(1)} MiB (10k).`,
      cause:
        `Not retention: the same CLI also lists all ${LARGE.toLocaleString('en-US')} items with V8's old space capped at ${OLD_SPACE_CAP_MIB} MiB ` +
        `(--max-old-space-size=${OLD_SPACE_CAP_MIB}), peaking at ${(capped.maxRssKiB / 1024).toFixed(1)} MiB RSS. Uncapped, V8 grows its young and old ` +
        'generations while a long run keeps allocating (each 500-item page is read, parsed, converted and re-serialised), and never ' +
        'gives the room back before exit; a 10,000-item run ends before the heap has grown. The bare axios loop, which holds nothing ' +
        `either, drifts the same way: ${(rssMiB(runs.bareSmall)).toFixed(1)} -> ${rssMiB(runs.bare).toFixed(1)} MiB.`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) report('items-scale', await itemsScale());
