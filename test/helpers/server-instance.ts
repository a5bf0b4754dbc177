/**
 * One instance of the example host (examples/server-host.ts) as its own process, for the
 * many-instances tests: started with the given environment, asked over HTTP, killed at will.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface HostInstance {
  port: number;
  url: string;
  process: ChildProcess;
  /** GET/POST with Accept: application/json; resolves with the status and parsed body. */
  call(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startHostInstance(env: Record<string, string>): Promise<HostInstance> {
  const child = spawn(process.execPath, ['--import=tsx', 'examples/server-host.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const listening = (JSON.parse(line) as { listening?: number }).listening;
      if (listening) resolve(listening);
    });
    child.once('exit', (code) => reject(new Error(`the host exited (${code}) before listening: ${errors}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    port,
    url,
    process: child,
    async call(method, path) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(60_000),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    stderr: () => errors,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * Plays the person's browser against the Pocket emulator in auto-approve mode: opens the
 * authorization URL and returns the query of the redirect it is sent to (what the host's
 * redirect URI would receive), without following it.
 */
export async function approveOnPocket(authorizationUrl: string): Promise<Record<string, string>> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = page.headers.get('location');
  if (page.status !== 302 || location === null) throw new Error(`the authorize page answered ${page.status}`);
  return Object.fromEntries(new URL(location).searchParams);
}
