/**
 * Networks of a test's own: a script run in a new unprivileged network namespace (`unshare -rn`),
 * where only the addresses the script adds exist, so nothing it does can reach another machine.
 * The script prints one JSON report on stdout; the ava test reads it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `script` (a path from the repository root, run with tsx) in a new namespace; its JSON report. */
export async function runInNetworkNamespace<T>(script: string, timeoutMs = 90_000): Promise<T> {
  const { stdout } = await promisify(execFile)('unshare', ['-rn', process.execPath, '--import', 'tsx', script], {
    cwd: root,
    maxBuffer: 1 << 20,
    timeout: timeoutMs,
  });
  return JSON.parse(stdout) as T;
}

/**
 * Inside the namespace: brings loopback up and adds `addresses` to it (use TEST-NET ranges,
 * RFC 5737, which exist nowhere else).
 */
export function bringUpLoopback(addresses: string[] = []): void {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  for (const address of addresses) execFileSync('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
}
