/** Runs a whole process and measures its wall time from spawn to exit. */
import { spawn } from 'node:child_process';

export interface TimedRun {
  ms: number;
  code: number | null;
}

export function timedRun(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { ...options, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ ms: performance.now() - start, code }));
  });
}
