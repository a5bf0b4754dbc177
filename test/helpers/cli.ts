/**
 * Runs the authmachine CLI in-process (main(argv, io)) with captured stdout/stderr and a private
 * config directory and keychain service, and plays the person's browser where a test needs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ExecutionContext } from 'ava';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Called with all of stderr so far, each time more arrives (e.g. to find the printed URL). */
  onStderr?: (stderrSoFar: string) => void;
  stdin?: PassThrough;
}

/** A sandbox for CLI runs: its own config dir (profiles/) and keychain service. No DISPLAY. */
export interface CliSandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  service: string;
  run(argv: string[], extraEnv?: NodeJS.ProcessEnv, options?: CliRunOptions): Promise<CliResult>;
  /** Every stdout and stderr text of every run so far, to check that no secret was printed. */
  readonly printed: string[];
}

let sandboxes = 0;

// Each in-process login listens for SIGINT/SIGTERM while it runs (Ctrl-C cancels it), and ava runs
// a file's tests at once: a dozen concurrent logins are not a leak. pocket-cli.test.ts checks that
// none is left once every test has run.
process.setMaxListeners(50);

/** Creates a sandbox; its directory and keychain entries go away when the test (or hook) ends. */
export function cliSandbox(t: ExecutionContext, env: NodeJS.ProcessEnv = {}): CliSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'authmachine-cli-'));
  const service = `authmachine-test-${process.pid}-${Date.now()}-${++sandboxes}`;
  const baseEnv: NodeJS.ProcessEnv = {
    HOME: dir,
    PATH: process.env['PATH'],
    AUTHMACHINE_CONFIG_DIR: join(dir, 'config'),
    AUTHMACHINE_KEYCHAIN_SERVICE: service,
    ...env,
  };
  const printed: string[] = [];
  t.teardown(async () => {
    await clearKeychainService(service);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    env: baseEnv,
    service,
    printed,
    async run(argv, extraEnv = {}, options = {}) {
      const result = await runCli(argv, { ...baseEnv, ...extraEnv }, options);
      printed.push(result.stdout, result.stderr);
      return result;
    },
  };
}

/** Runs main(argv, io) with PassThrough streams. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, options: CliRunOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    options.onStderr?.(err);
  });
  const code = await main(argv, { stdout, stderr, stdin: options.stdin ?? new PassThrough(), env, interactive: false });
  stdout.end();
  stderr.end();
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out, stderr: err };
}

/** The authorization URL the CLI printed on stderr, once it has. */
export function printedAuthorizeUrl(stderr: string): string | null {
  return /^\s+(http:\/\/127\.0\.0\.1:\d+\/auth\/authorize\?\S+)$/m.exec(stderr)?.[1] ?? null;
}

/**
 * Runs a login and, once the CLI has printed its authorization URL, hands the URL to `visit`
 * (the test's browser). Resolves with the CLI's result and what the visit returned.
 */
export async function runLoginVisiting<T>(
  sandbox: CliSandbox,
  argv: string[],
  visit: (url: string) => Promise<T>,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<CliResult & { visited: T | undefined; url: string | null }> {
  let visiting: Promise<T> | undefined;
  let url: string | null = null;
  const result = await sandbox.run(argv, extraEnv, {
    onStderr(text) {
      url ??= printedAuthorizeUrl(text);
      if (url && !visiting) visiting = visit(url);
    },
  });
  const visited = visiting ? await visiting : undefined;
  return { ...result, visited, url };
}

/**
 * What a browser does with an auto-approving emulator: GET the authorize page and follow its
 * redirects (loopback only) to the CLI's listener. Returns the final status and body.
 */
export async function followLikeABrowser(url: string): Promise<{ status: number; body: string; hops: string[] }> {
  let next = new URL(url);
  const hops: string[] = [];
  for (let hop = 0; hop < 5; hop++) {
    if (next.hostname !== '127.0.0.1') throw new Error(`refusing to leave loopback: ${next.host}`);
    hops.push(`${next.origin}${next.pathname}`);
    const response = await fetch(next, { redirect: 'manual' });
    const body = await response.text();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { status: response.status, body, hops };
    next = new URL(location, next);
  }
  throw new Error('too many redirects');
}

/** Deletes every entry a test left under its keychain service. */
export async function clearKeychainService(service: string): Promise<void> {
  const keytar = ((await import('keytar')) as unknown as { default: typeof import('keytar') }).default;
  const entries = await keytar.findCredentials(service).catch(() => []);
  await Promise.all(entries.map((e) => keytar.deletePassword(service, e.account)));
}

/** Every entry under a keychain service (to read the token the CLI stored). */
export async function keychainEntries(service: string): Promise<Array<{ account: string; password: string }>> {
  const keytar = ((await import('keytar')) as unknown as { default: typeof import('keytar') }).default;
  return keytar.findCredentials(service);
}
