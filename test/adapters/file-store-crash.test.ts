/**
 * The file store under kill -9. In each trial three processes work on one token file at once,
 * a login (save), a refresh (read then rewrite) and a logout (save/delete), and each is killed
 * with SIGKILL at a random moment. Every time: the file is whole JSON; each key holds the state
 * after the worker's last reported operation or after the one it was in (old or new, nothing
 * else); a key nobody touched survives; the next run is not blocked; and once it has run, no
 * file but the token file and its token-free lock file is left.
 */
import test from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore } from '../../adapters/file-store.js';
import { bundleFixture } from '../helpers/bundle-fixture.js';

const TRIALS = Number(process.env['AUTHMACHINE_CRASH_TRIALS'] ?? 60);
// Split, and run one after another, so each test finishes within ava's inactivity timeout on a loaded machine.
const GROUPS = 6;
const MODES = ['login', 'refresh', 'logout'] as const;
type Mode = (typeof MODES)[number];

interface Worker {
  mode: Mode;
  child: ChildProcess;
  lastDone: () => number;
  firstDone: Promise<void>;
}

function startWorker(bundle: string, mode: Mode, path: string): Worker {
  const child = spawn(process.execPath, [bundle, mode, path, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let last = 0;
  let signalFirst!: () => void;
  let failFirst!: (error: Error) => void;
  const firstDone = new Promise<void>((resolve, reject) => {
    signalFirst = resolve;
    failFirst = reject;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    out += String(chunk);
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) {
      last = Number(line.split(' ')[1]);
      signalFirst();
    }
  });
  child.stderr!.resume();
  child.once('exit', (code, signal) => {
    if (signal === null) failFirst(new Error(`the ${mode} worker exited (${code}) on its own`));
  });
  return { mode, child, lastDone: () => last, firstDone };
}

/** The value each worker's key has after its operation n (null: absent). */
function stateAfter(mode: Mode, n: number): string | null {
  if (n === 0) return mode === 'logout' ? null : `tok-${mode}-0`;
  if (mode === 'logout' && n % 2 === 0) return null;
  return `tok-${mode}-${n}`;
}

for (let group = 0; group < GROUPS; group++) {
  test.serial(
    `kill -9 during login, refresh and logout, trials ${group + 1}/${GROUPS} of ${TRIALS}: old or new entry, never blocked, no token left in a stray file`,
    async (t) => {
      const bundle = await bundleFixture('test/fixtures/store-worker.ts');
      t.teardown(bundle.remove);
      const base = await mkdtemp(join(tmpdir(), 'authmachine-crash-'));
      t.teardown(() => rm(base, { recursive: true, force: true }));
      let leftoverTemps = 0;
      let killedInside = 0;

      const trials = Math.ceil(TRIALS / GROUPS);
      for (let trial = 0; trial < trials; trial++) {
        const path = join(base, `t${trial}`, 'tokens.json');
        const seed = new FileTokenStore({ path });
        await seed.set('untouched', 'tok-untouched');
        await seed.set('login', 'tok-login-0');
        await seed.set('refresh', 'tok-refresh-0');

        const workers = MODES.map((mode) => startWorker(bundle.path, mode, path));
        await Promise.all(
          workers.map(async (worker) => {
            await worker.firstDone;
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
            worker.child.kill('SIGKILL');
            await once(worker.child, 'close');
          }),
        );

        // Straight after the kills, before anyone cleans up: whole JSON, old or new state per key.
        const entries = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
        t.is(entries['untouched'], 'tok-untouched', `trial ${trial}: an untouched entry was lost`);
        for (const worker of workers) {
          const n = worker.lastDone();
          const allowed = [stateAfter(worker.mode, n), stateAfter(worker.mode, n + 1)];
          const actual = entries[worker.mode] ?? null;
          t.true(
            allowed.includes(actual),
            `trial ${trial}: ${worker.mode} after op ${n} holds ${actual}, expected one of ${allowed.join(', ')}`,
          );
          if (actual === stateAfter(worker.mode, n + 1)) killedInside++;
        }
        const names = await readdir(join(path, '..'));
        leftoverTemps += names.filter((name) => name.endsWith('.tmp')).length;

        // The next run: not blocked, and it clears what the dead writers left.
        await new FileTokenStore({ path }).set('next', 'tok-next'); // a kernel lock never expires: a leftover would block for good
        t.deepEqual(
          (await readdir(join(path, '..'))).sort(),
          ['tokens.json', 'tokens.json.lock'],
          `trial ${trial}: a stray file is left`,
        );
        t.false((await readFile(`${path}.lock`, 'utf8')).includes('tok-'), 'the lock file holds a token');
      }
      t.log(
        `${trials * 3} kills; ${leftoverTemps} temp files left by them (all removed by the next run); ${killedInside} kills landed after the write and before the report`,
      );
    },
  );
}

test.serial(
  'logout removes the temp file a killed save left behind, even when there is nothing to delete',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'authmachine-crash-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'tokens.json');
    const store = new FileTokenStore({ path });
    await store.set('other', 'tok-other');
    // What a writer killed between writing its temp file and renaming it leaves.
    const orphan = join(dir, '.tokens.json.4242.0123456789ab.tmp');
    await writeFile(orphan, JSON.stringify({ k: 'tok-refresh-that-still-works' }), { mode: 0o600 });
    t.false(await store.delete('k'));
    t.deepEqual((await readdir(dir)).sort(), ['tokens.json', 'tokens.json.lock']);

    await writeFile(orphan, JSON.stringify({ k: 'tok-again' }), { mode: 0o600 });
    await store.set('k2', 'v');
    t.deepEqual((await readdir(dir)).sort(), ['tokens.json', 'tokens.json.lock']);
  },
);

for (let group = 0; group < 3; group++) {
  test.serial(
    `4 writer processes behind a dead process's lock file, rounds ${group * 10 + 1}-${group * 10 + 10} of 30: no write is lost`,
    async (t) => {
      const bundle = await bundleFixture('test/fixtures/store-worker.ts');
      t.teardown(bundle.remove);
      const base = await mkdtemp(join(tmpdir(), 'authmachine-crash-'));
      t.teardown(() => rm(base, { recursive: true, force: true }));
      const dead = spawn(process.execPath, ['-e', '']);
      await once(dead, 'exit');
      let lost = 0;
      for (let round = 0; round < 10; round++) {
        const dir = join(base, `r${round}`);
        const path = join(dir, 'tokens.json');
        await new FileTokenStore({ path }).set('seed', 'x');
        // Both kinds of leftover: the old implementation's "pid\nnonce" file, and an empty one.
        await writeFile(`${path}.lock`, round % 2 ? `${dead.pid}\nabc\n` : '');
        const keys = ['w1', 'w2', 'w3', 'w4'];
        const codes = await Promise.all(
          keys.map(async (key) => {
            const child = spawn(process.execPath, [bundle.path, 'once', path, key], { stdio: 'ignore' });
            const [code] = (await once(child, 'exit')) as [number];
            return code;
          }),
        );
        t.deepEqual(codes, [0, 0, 0, 0]);
        const entries = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
        lost += keys.filter((key) => entries[key] !== `tok-${key}-1`).length;
      }
      t.is(lost, 0);
    },
  );
}
