/**
 * Debian's tinyproxy, started by a test on a free loopback port and stopped by it, logging every
 * connection and request line to a file the test reads. `bind`: the address it opens its outgoing
 * connections from, so that a target sees by the peer address alone that a request came through it
 * (an address the test added in a network namespace of its own; see network-namespace.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tinyproxy {
  /** e.g. http://127.0.0.1:41234, for HTTPS_PROXY / HTTP_PROXY. */
  url: string;
  /** Everything tinyproxy has logged so far ('' before its first line). */
  log(): string;
  /** The logged lines that name `host` (e.g. "192.0.2.10:4430"): CONNECT and request lines, connections out. */
  linesFor(host: string): string[];
  /** The CONNECT request lines logged so far. */
  connectLines(): string[];
  stop(): void;
}

/** A loopback port that was free a moment ago (nothing listens on it once this returns). */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startTinyproxy(options: { bind?: string } = {}): Promise<Tinyproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'authmachine-tinyproxy-'));
  const port = await freeLoopbackPort();
  const logFile = join(dir, 'tinyproxy.log');
  const conf = join(dir, 'tinyproxy.conf');
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      ...(options.bind ? [`Bind ${options.bind}`] : []),
      'Timeout 30',
      `LogFile "${logFile}"`,
      'LogLevel Connect',
      'MaxClients 50',
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  );
  const proxy = spawn('tinyproxy', ['-d', '-c', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proxy.once('exit', () => resolve()));
  let up = false;
  for (let i = 0; i < 100 && !up && proxy.exitCode === null; i++) {
    up = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (!up) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = () => {
    proxy.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  if (!up) {
    stop();
    await exited;
    throw new Error(`tinyproxy did not start on 127.0.0.1:${port}: ${log()}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    linesFor: (host) =>
      log()
        .split('\n')
        .filter((line) => line.includes(host)),
    connectLines: () =>
      log()
        .split('\n')
        .filter((line) => /CONNECT \S+ HTTP/.test(line)),
    stop,
  };
}
