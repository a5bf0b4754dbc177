/**
 * Runs the CLI in-process through main(argv, io) with captured streams, so a test can read what
 * a person would see (and wait for a line on stderr while the command is still running).
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/output/io.js';

export interface CliRun {
  /** Exit code and everything written, once the command has finished. */
  result: Promise<{ code: number; stdout: string; stderr: string }>;
  /** Resolves with the first match of `pattern` in stderr so far or later. */
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray>;
}

export function runCli(argv: string[], env: NodeJS.ProcessEnv): CliRun {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    waiters.forEach((check) => check());
  });
  const result = main(argv, { stdout, stderr, stdin, env, interactive: false }).then(async (code) => {
    // Let the streams deliver what was written last.
    await new Promise((resolve) => setImmediate(resolve));
    return { code, stdout: out, stderr: err };
  });
  return {
    result,
    stderrMatch(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(err);
          if (match) resolve(match);
        };
        waiters.push(check);
        check();
        void result.then(() => reject(new Error(`the command ended without printing ${pattern}; stderr:\n${err}`)));
      });
    },
  };
}

/** A CliIO on in-memory streams (no terminal), with what was written so far. */
export function capturedIO(env: NodeJS.ProcessEnv = {}): { io: CliIO; stdout(): string; stderr(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env, interactive: false },
    stdout: () => out,
    stderr: () => err,
  };
}
