/**
 * A real redis-server (Debian's) for tests: loopback only, a free port, no persistence, its
 * working directory in a temp folder, stopped by `stop()`. `kill()` makes it vanish the way a
 * crashed server does (SIGKILL), for the "Redis went away" tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisClient } from '../../adapters/redis-client.js';

export interface RedisServer {
  port: number;
  url: string;
  process: ChildProcess;
  kill(): void;
  stop(): Promise<void>;
}

/** A port the kernel just gave out (redis-server cannot take port 0 itself). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** `port`: start on this one (a restart of a server stopped there); default a free one. */
export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  for (let tries = 0; ; tries++) {
    const port = options.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'authmachine-redis-'));
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--loglevel',
        'notice',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const ready = await new Promise<boolean>((resolve) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    if (ready) {
      const exited = new Promise<void>((resolve) =>
        child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
      );
      const cleanup = () => rmSync(dir, { recursive: true, force: true });
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        process: child,
        kill: () => void child.kill('SIGKILL'),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
          cleanup();
        },
      };
    }
    rmSync(dir, { recursive: true, force: true });
    if (tries >= 4) throw new Error('redis-server did not start');
  }
}

/**
 * A redis-server of the test's own, with a client whose commands fail after 200 ms, to pause
 * (SIGSTOP) and resume (SIGCONT). Stopped, resumed first, when the test ends.
 */
export async function pausableRedis(t: { teardown(fn: () => unknown): void }) {
  const own = await startRedisServer();
  const connection = await createRedisClient({ url: own.url, commandTimeoutMs: 200 });
  t.teardown(async () => {
    own.process.kill('SIGCONT');
    connection.disconnect();
    await own.stop();
  });
  return {
    own,
    connection,
    pause: () => own.process.kill('SIGSTOP'),
    resume: () => own.process.kill('SIGCONT'),
  };
}
