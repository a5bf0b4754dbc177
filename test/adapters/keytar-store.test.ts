/**
 * keytar against the real Secret Service. Run under scripts/test.sh (a private D-Bus session with
 * an unlocked gnome-keyring). Without one these tests fail on purpose: CI always provides it.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AuthError } from '../../adapters/errors.js';
import { KeytarTokenStore, type KeytarLike } from '../../adapters/keytar-store.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const service = `authmachine-test-${process.pid}-${Date.now()}`;

test('set, get, overwrite and delete round-trip through the Secret Service', async (t) => {
  const store = new KeytarTokenStore({ service });
  t.teardown(() => store.delete('pocket:alice').catch(() => {}));
  t.is(store.location, 'the system keychain (Secret Service)');
  t.is(await store.get('pocket:alice'), null);
  await store.set('pocket:alice', 'token-1');
  t.is(await store.get('pocket:alice'), 'token-1');
  await store.set('pocket:alice', '{"access_token":"token-2","ü":"✓"}');
  t.is(await store.get('pocket:alice'), '{"access_token":"token-2","ü":"✓"}');
  t.true(await store.delete('pocket:alice'));
  t.false(await store.delete('pocket:alice'));
  t.is(await store.get('pocket:alice'), null);
});

test('entries of different services do not see each other', async (t) => {
  const a = new KeytarTokenStore({ service: `${service}-a` });
  const b = new KeytarTokenStore({ service: `${service}-b` });
  t.teardown(async () => {
    await a.delete('k').catch(() => {});
  });
  await a.set('k', 'secret-a');
  t.is(await b.get('k'), null);
});

test('no D-Bus session -> ERR_STORAGE_UNAVAILABLE saying what to install (child process)', async (t) => {
  const script = `
    const { KeytarTokenStore } = await import('./adapters/keytar-store.ts');
    try {
      await new KeytarTokenStore({ service: 'authmachine-test-nobus', timeoutMs: 8000 }).set('k', 'SECRET-VALUE');
      console.log(JSON.stringify({ ok: true }));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message }));
    }`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    timeout: 20_000,
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/authmachine-bus', DISPLAY: '' },
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!);
  t.is(result.code, 'ERR_STORAGE_UNAVAILABLE');
  t.regex(result.message, /gnome-keyring/);
  t.regex(result.message, /--store file/);
  t.false(result.message.includes('SECRET-VALUE'));
});

test('a keychain that hangs -> ERR_STORAGE after the timeout, no fallback', async (t) => {
  const hanging: KeytarLike = {
    getPassword: () => new Promise(() => {}),
    setPassword: () => new Promise(() => {}),
    deletePassword: () => new Promise(() => {}),
  };
  const store = new KeytarTokenStore({ service, timeoutMs: 100, loadKeytar: async () => hanging });
  const error = await t.throwsAsync(store.set('k', 'SECRET-VALUE'), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_STORAGE');
  t.regex(error!.message, /did not answer/);
  t.is((await t.throwsAsync(store.get('k'), { instanceOf: AuthError }))!.code, 'ERR_STORAGE');
});

test('keytar that cannot load -> ERR_STORAGE_UNAVAILABLE; other failures -> ERR_STORAGE', async (t) => {
  const unloadable = new KeytarTokenStore({
    loadKeytar: async () => {
      throw new Error('libsecret-1.so.0: cannot open shared object file');
    },
  });
  const error = await t.throwsAsync(unloadable.get('k'), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_STORAGE_UNAVAILABLE');
  t.regex(error!.message, /libsecret/);

  const failing = new KeytarTokenStore({
    loadKeytar: async () => ({
      getPassword: async () => {
        throw new Error('Cannot create an item in a locked collection');
      },
      setPassword: async () => {},
      deletePassword: async () => false,
    }),
  });
  t.is((await t.throwsAsync(failing.get('k'), { instanceOf: AuthError }))!.code, 'ERR_STORAGE');
});
