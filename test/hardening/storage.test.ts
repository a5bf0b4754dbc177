/**
 * Storage under stress: two processes logging in at once into one token file, and a keychain
 * that hangs or fails. A keychain problem is reported as such (the machine ends in `failed`),
 * never papered over by writing the token to a plaintext file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { FileTokenStore } from '../../adapters/file-store.js';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { KeytarTokenStore, type KeytarLike } from '../../adapters/keytar-store.js';
import { LoopbackReceiver } from '../../adapters/loopback-receiver.js';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { decodeTokenSet } from '../../src/flow/token-codec.js';
import { startPocketEmulator } from '../../src/pocket/emulator/index.js';
import { createPocketProtocol, getItems, pocketStorageKey } from '../../src/pocket/index.js';
import { fetchingBrowser } from '../helpers/fetching-browser.js';

const run = promisify(execFile);

// Any file a fallback might write would land under these: they must stay empty.
const home = await mkdtemp(join(tmpdir(), 'am-storage-home-'));
process.env['HOME'] = home;
process.env['XDG_CONFIG_HOME'] = join(home, '.config');
test.after.always(() => rm(home, { recursive: true, force: true }));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('two processes logging in at once into one token file end with one valid token and an intact file', async (t) => {
  const emulator = await startPocketEmulator({ approval: 'auto-approve' });
  t.teardown(() => emulator.close());
  const dir = await mkdtemp(join(tmpdir(), 'am-storage-race-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, 'tokens.json');
  const child = () =>
    run(
      process.execPath,
      ['--import=tsx', 'test/hardening/fixtures/login-child.ts', emulator.url, emulator.consumerKey, tokenFile],
      { timeout: 25_000 },
    );
  const outcomes = await Promise.all([child(), child()]);
  t.deepEqual(
    outcomes.map((o) => JSON.parse(o.stdout)),
    [{ ok: true }, { ok: true }],
  );

  const text = await readFile(tokenFile, 'utf8');
  const entries = JSON.parse(text) as Record<string, string>; // throws if torn
  t.deepEqual(Object.keys(entries), [pocketStorageKey(emulator.consumerKey)]);
  const stored = await new FileTokenStore({ path: tokenFile }).get(pocketStorageKey(emulator.consumerKey));
  const token = decodeTokenSet(stored!, tokenFile);
  const page = await getItems(
    { http: new AxiosHttpClient(), baseUrl: emulator.url },
    { consumerKey: emulator.consumerKey, accessToken: token.accessToken },
    { count: 1 },
  );
  t.is(page.items.length, 1, 'the stored token works at /v3/get');
  t.deepEqual(
    (await readdir(dir)).sort(),
    ['tokens.json', 'tokens.json.lock'],
    'no temp file left behind (the lock file stays: deleting it would break the lock)',
  );
});

function keychain(behaviour: 'hang' | 'fail'): KeytarLike {
  const act = <T>(): Promise<T> =>
    behaviour === 'hang' ? new Promise<T>(() => {}) : Promise.reject(new Error('GDBus.Error: the keyring is locked'));
  return { getPassword: act, setPassword: act, deletePassword: act };
}

for (const behaviour of ['hang', 'fail'] as const) {
  for (const force of [false, true]) {
    const step = force ? 'saving after a forced login' : 'reading the stored login';
    test(`a keychain that ${behaviour}s while ${step} ends the flow in failed with ERR_STORAGE, no plaintext fallback`, async (t) => {
      const emulator = await startPocketEmulator({ approval: 'auto-approve' });
      t.teardown(() => emulator.close());
      const store = new KeytarTokenStore({ timeoutMs: 150, loadKeytar: async () => keychain(behaviour) });
      const flow = createAuthFlow({
        protocol: createPocketProtocol({ consumerKey: emulator.consumerKey, baseUrl: emulator.url }),
        http: new AxiosHttpClient(),
        receiver: new LoopbackReceiver(),
        browser: fetchingBrowser,
        store,
        storeTimeoutMs: 60_000, // only the keychain's own 150 ms deadline can end a hang in time
      });
      t.teardown(() => flow.stop());
      const error = await t.throwsAsync(flow.login({ force }));
      t.is((error as { code?: string }).code, 'ERR_STORAGE');
      if (behaviour === 'hang') t.regex(error!.message, /did not answer .* within 150 ms/);
      t.is(flow.state.value, 'failed');
      t.deepEqual(await filesUnder(home), [], 'no token file was written anywhere under HOME / XDG_CONFIG_HOME');
      t.deepEqual(await filesUnder(`${process.cwd()}/.authmachine`), []);
    });
  }
}
