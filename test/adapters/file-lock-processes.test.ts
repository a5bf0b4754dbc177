/**
 * FileLock across real processes: node children contend for one lock file, each logging
 * enter/exit markers around a read-increment-write of a shared counter. A holder killed with
 * SIGKILL and a leftover empty lock file must neither block the others nor let two in at once,
 * and no increment may be lost.
 */
import test, { type ExecutionContext } from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = 'test/fixtures/lock-contender.ts';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-lockproc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function contender(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

async function untilHeld(child: ChildProcess): Promise<void> {
  let out = '';
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    if (out.includes('held')) return;
  }
  throw new Error('the holder exited before holding the lock');
}

/** Every "enter" is followed by the same pid's "exit" before anyone else's "enter". */
function overlaps(lines: string[]): number {
  let bad = 0;
  let inside: string | null = null;
  for (const line of lines) {
    const [what, pid] = line.split(' ');
    if (what === 'enter') {
      if (inside !== null) bad++;
      inside = pid!;
    } else {
      if (inside !== pid) bad++;
      inside = null;
    }
  }
  return bad;
}

test('4 processes x 25 rounds behind a SIGKILLed holder and an empty leftover lock file: no overlap, no lost write', async (t) => {
  const dir = await tempDir(t);
  const lockPath = join(dir, 'tokens.json.lock');
  const log = join(dir, 'log');
  const counter = join(dir, 'counter');
  await writeFile(lockPath, ''); // what a process killed by the old implementation left behind
  await writeFile(log, '');
  await writeFile(counter, '0');

  const holder = contender(['hold', lockPath]);
  await untilHeld(holder);
  const others = Array.from({ length: 4 }, () => contender(['rounds', lockPath, log, counter, '25']));
  await new Promise((resolve) => setTimeout(resolve, 1500)); // let them start and queue behind the holder
  t.is((await readFile(log, 'utf8')).length, 0, 'a contender got in while the holder was alive');
  holder.kill('SIGKILL');
  await exitCode(holder);

  const codes = await Promise.all(others.map(exitCode));
  t.deepEqual(codes, [0, 0, 0, 0]);
  const lines = (await readFile(log, 'utf8')).trim().split('\n');
  t.is(lines.length, 200);
  t.is(overlaps(lines), 0);
  t.is(await readFile(counter, 'utf8'), '100');
});

test('a contender SIGKILLed at a random moment never blocks the rest, and the counter loses nothing it reported', async (t) => {
  const dir = await tempDir(t);
  const lockPath = join(dir, 'x.lock');
  const log = join(dir, 'log');
  const counter = join(dir, 'counter');
  await writeFile(log, '');
  await writeFile(counter, '0');
  for (let trial = 0; trial < 3; trial++) {
    const victim = contender(['rounds', lockPath, log, counter, '1000']);
    const others = Array.from({ length: 3 }, () => contender(['rounds', lockPath, log, counter, '20']));
    // Kill it once it is really taking part (it has been inside at least once), at a random moment.
    while (!(await readFile(log, 'utf8')).includes(`enter ${victim.pid}\n`))
      await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 60));
    victim.kill('SIGKILL');
    t.deepEqual(await Promise.all(others.map(exitCode)), [0, 0, 0]);
    await exitCode(victim);
  }
  const lines = (await readFile(log, 'utf8')).trim().split('\n');
  // The victims may each have died inside (an enter with no exit): drop those unmatched enters.
  const victims = new Set<string>();
  const matched: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [what, pid] = lines[i]!.split(' ');
    if (what === 'enter' && lines[i + 1] !== `exit ${pid}`) {
      victims.add(pid!);
      continue;
    }
    matched.push(lines[i]!);
  }
  t.is(overlaps(matched), 0);
  t.true(victims.size <= 3);
  const exits = matched.filter((line) => line.startsWith('exit')).length;
  t.true(exits >= 180, 'the others did not all finish');
  // A victim killed after writing the counter but before logging "exit" adds one unlogged increment.
  const value = Number(await readFile(counter, 'utf8'));
  t.true(value >= exits && value <= exits + victims.size, `counter ${value}, logged ${exits}`);
});
