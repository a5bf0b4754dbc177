/**
 * A keychain you can trust (issue 11, point 7), against a real gnome-keyring on a private D-Bus
 * session: a locked or hung keychain is reported before the browser step, with a remedy; a native
 * call that never returns does not keep the CLI alive (exit 7). Run under scripts/test.sh (it
 * builds dist/, which bin/authmachine.js runs).
 */
import test, { type ExecutionContext } from 'ava';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AuthError } from '../../adapters/errors.js';
import { KeytarTokenStore, type KeytarLike } from '../../adapters/keytar-store.js';
import { startPocketEmulator, type EmulatorLogEvent } from '../../src/pocket/emulator/index.js';
import { privateKeyring } from '../helpers/private-keyring.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs KeytarTokenStore.probe() (then a get) in a child on `env`'s bus; returns what each did. */
async function probeIn(env: NodeJS.ProcessEnv): Promise<{ probe: { code?: string; message?: string }; get: unknown }> {
  const script = `
    const { KeytarTokenStore } = await import('./adapters/keytar-store.ts');
    const store = new KeytarTokenStore({ service: 'authmachine-trust-test', timeoutMs: 20000 });
    const out = {};
    try { await store.probe(); out.probe = {}; } catch (e) { out.probe = { code: e.code, message: e.message }; }
    try { out.get = await store.get('k'); } catch (e) { out.get = { code: e.code }; }
    console.log(JSON.stringify(out));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env,
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

interface CliResult {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** `authmachine login --store keychain` (the built bin) against the emulator, on `env`'s bus. */
async function loginWithKeychain(
  t: ExecutionContext,
  env: NodeJS.ProcessEnv,
): Promise<{ result: CliResult; oauthRequests: number }> {
  const events: EmulatorLogEvent[] = [];
  const emulator = await startPocketEmulator({ approval: 'auto-approve', log: (event) => events.push(event) });
  t.teardown(() => emulator.close());
  const home = await mkdtemp(join(tmpdir(), 'authmachine-kc-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const child = spawn(
    process.execPath,
    ['bin/authmachine.js', 'login', '--base-url', emulator.url, '--store', 'keychain', '--no-browser'],
    {
      cwd: root,
      env: {
        ...env,
        HOME: home,
        AUTHMACHINE_CONFIG_DIR: home,
        AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey,
        AUTHMACHINE_KEYCHAIN_TIMEOUT_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  // No deadline of our own: a CLI kept alive by a hung native call fails this test by never exiting.
  const [code] = (await once(child, 'exit')) as [number | null];
  return {
    result: { code, stdout, stderr },
    oauthRequests: events.filter((event) => event.path.startsWith('/v3/oauth/')).length,
  };
}

test('a locked keyring: reads find nothing, the probe says it is locked and how to unlock it or use --store file', async (t) => {
  const keyring = await privateKeyring(t);
  await keyring.start({ unlocked: true });
  // Make the login keyring exist on disk, then come back with it locked.
  const first = await probeIn(keyring.env);
  t.deepEqual(first.probe, {}, 'the unlocked keyring failed the probe: the test would prove nothing');
  await keyring.stop();
  await keyring.start({ unlocked: false });

  const locked = await probeIn(keyring.env);
  t.is(locked.get, null, 'a locked keyring now answers reads (the probe must then be a read?)');
  t.is(locked.probe.code, 'ERR_STORAGE');
  t.regex(locked.probe.message!, /locked/);
  t.regex(locked.probe.message!, /[Uu]nlock it/);
  t.regex(locked.probe.message!, /--store file/);
});

test('login with a locked keyring stops before the browser step: exit 7, says unlock or --store file, no request to the provider', async (t) => {
  const keyring = await privateKeyring(t);
  await keyring.start({ unlocked: true });
  t.deepEqual((await probeIn(keyring.env)).probe, {});
  await keyring.stop();
  await keyring.start({ unlocked: false });

  const { result, oauthRequests } = await loginWithKeychain(t, keyring.env);
  t.is(result.code, 7, result.stderr);
  t.regex(result.stderr, /locked/);
  t.regex(result.stderr, /--store file/);
  t.is(oauthRequests, 0, 'the login reached the provider (the person would approve for nothing)');
  t.false(result.stderr.includes('/auth/authorize'), 'the authorization URL was shown');
});

test('login with a hung gnome-keyring (SIGSTOP): exit 7, says it did not answer and what to do, no request to the provider', async (t) => {
  const keyring = await privateKeyring(t);
  const daemon = await keyring.start({ unlocked: true });
  daemon.kill('SIGSTOP');
  t.teardown(() => void daemon.kill('SIGCONT'));
  const { result, oauthRequests } = await loginWithKeychain(t, keyring.env);
  t.is(result.code, 7, result.stderr);
  t.regex(result.stderr, /did not answer/);
  t.regex(result.stderr, /--store file/);
  t.is(oauthRequests, 0);
});

test('a D-Bus that never answers (the native call never returns): the CLI still exits 7 after reporting it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-deadbus-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'bus');
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume(); // reads the handshake, never answers it
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { result, oauthRequests } = await loginWithKeychain(t, {
    ...process.env,
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${path}`,
  });
  t.true(sockets.size > 0, 'keytar never reached the bus: the test would prove nothing');
  t.is(result.code, 7, result.stderr);
  t.regex(result.stderr, /did not answer/);
  t.regex(result.stderr, /--store file/);
  t.is(oauthRequests, 0);
});

test('every keychain failure names a remedy', async (t) => {
  const failing = (message: string): KeytarLike => {
    const fail = () => Promise.reject(new Error(message));
    return { getPassword: fail, setPassword: fail, deletePassword: fail };
  };
  const hanging: KeytarLike = {
    getPassword: () => new Promise(() => {}),
    setPassword: () => new Promise(() => {}),
    deletePassword: () => new Promise(() => {}),
  };
  const cases: Array<[string, () => Promise<KeytarLike>]> = [
    [
      'no Secret Service',
      async () => failing('The name org.freedesktop.secrets was not provided by any .service files'),
    ],
    ['locked', async () => failing('Cannot create an item in a locked collection')],
    ['other failure', async () => failing('Something odd happened')],
    ['hang', async () => hanging],
    ['keytar missing', () => Promise.reject(new Error('Cannot find module keytar'))],
  ];
  for (const [name, loadKeytar] of cases) {
    const store = new KeytarTokenStore({ timeoutMs: 100, loadKeytar });
    for (const work of [
      () => store.probe(),
      () => store.get('k'),
      () => store.set('k', 'SECRET'),
      () => store.delete('k'),
    ]) {
      const error = await t.throwsAsync(work(), { instanceOf: AuthError }, name);
      t.regex(error!.message, /--store file/, `${name}: ${error!.message}`);
      t.false(error!.message.includes('SECRET'));
    }
  }
});
