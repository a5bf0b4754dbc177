/**
 * The CLI's main() in a child process (test/fixtures/cli-main.ts under tsx), for what only a
 * process of its own has, such as its own environment read at start-up (NODE_EXTRA_CA_CERTS).
 */
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const URL_LINE = /open this URL in your browser[^\n]*\n\s+(\S+)\n/;

export interface CliChild {
  /** The authorization URL the login prints; rejects if the process ends first. */
  printedUrl: Promise<string>;
  /** Exit code and everything written, once the process has ended. */
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `authmachine <argv>` as a child process with `env` (and PATH); killed when the test ends. */
export function cliChild(t: ExecutionContext, argv: string[], env: NodeJS.ProcessEnv): CliChild {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/cli-main.ts', ...argv], {
    cwd: root,
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const printedUrl = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = URL_LINE.exec(stderr);
      if (match) resolve(match[1]!);
    });
    void result.then(() => reject(new Error(`the login ended before printing its URL: ${stderr}`)));
  });
  return { printedUrl, result };
}
