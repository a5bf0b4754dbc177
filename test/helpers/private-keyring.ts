/**
 * A private D-Bus session with its own gnome-keyring (real Secret Service), started and stopped by
 * one test, by pid: for keychain states the shared test bus cannot show (locked, hung).
 */
import type { ExecutionContext } from 'ava';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivateKeyring {
  /** Environment for a child process that should talk to this keyring. */
  env: NodeJS.ProcessEnv;
  /** Starts gnome-keyring-daemon: unlocked with a password, or (re)started locked. */
  start(options: { unlocked: boolean }): Promise<ChildProcess>;
  /** Stops the running daemon. */
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  return once(child, 'exit').then(() => {});
}

export async function privateKeyring(t: ExecutionContext): Promise<PrivateKeyring> {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-keyring-'));
  const bus = spawn(
    'dbus-daemon',
    ['--session', '--nofork', '--print-address=1', `--address=unix:path=${join(dir, 'bus')}`],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let daemon: ChildProcess | undefined;
  t.teardown(async () => {
    if (daemon) await stopChild(daemon);
    await stopChild(bus);
    await rm(dir, { recursive: true, force: true });
  });
  const [first] = (await once(bus.stdout!, 'data')) as [Buffer];
  const address = String(first).trim().split('\n')[0]!;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DBUS_SESSION_BUS_ADDRESS: address,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_RUNTIME_DIR: dir,
    DISPLAY: '',
    WAYLAND_DISPLAY: '',
  };

  async function secretsOwned(): Promise<boolean> {
    const { stdout } = await run(
      'dbus-send',
      [
        `--bus=${address}`,
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.secrets',
      ],
      { env },
    );
    return stdout.includes('boolean true');
  }

  return {
    env,
    async start({ unlocked }) {
      const args = ['--foreground', '--components=secrets', ...(unlocked ? ['--unlock'] : [])];
      daemon = spawn('gnome-keyring-daemon', args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
      daemon.stdin!.end(unlocked ? 'pw' : '');
      for (let i = 0; !(await secretsOwned()); i++) {
        if (i > 200) throw new Error('gnome-keyring-daemon did not take org.freedesktop.secrets');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return daemon;
    },
    async stop() {
      if (daemon) await stopChild(daemon);
      daemon = undefined;
      while (await secretsOwned()) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}
