import test, { type ExecutionContext } from 'ava';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AuthError } from '../../adapters/errors.js';
import { FileLock } from '../../adapters/file-lock.js';
import { FileTokenStore, defaultTokenFilePath } from '../../adapters/file-store.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('round-trip: set, get, overwrite, delete; location is the path', async (t) => {
  const path = join(await tempDir(t), 'authmachine', 'tokens.json');
  const store = new FileTokenStore({ path });
  t.is(store.location, path);
  t.is(await store.get('a'), null);
  t.false(await store.delete('a'));
  await store.set('a', 'secret-a');
  await store.set('b', 'secret-b');
  await store.set('a', 'secret-a2');
  t.is(await store.get('a'), 'secret-a2');
  t.true(await store.delete('a'));
  t.is(await store.get('a'), null);
  t.deepEqual(JSON.parse(await readFile(path, 'utf8')), { b: 'secret-b' });
  t.is(await new FileTokenStore({ path }).get('b'), 'secret-b');
});

test('file is 0600, directory 0700; only the file and its (token-free) lock file remain', async (t) => {
  const base = await tempDir(t);
  const path = join(base, 'authmachine', 'tokens.json');
  const store = new FileTokenStore({ path });
  for (let i = 0; i < 5; i++) await store.set(`k${i}`, `v${i}`);
  t.is((await stat(path)).mode & 0o777, 0o600);
  t.is((await stat(join(base, 'authmachine'))).mode & 0o777, 0o700);
  t.deepEqual((await readdir(join(base, 'authmachine'))).sort(), ['tokens.json', 'tokens.json.lock']);
  t.false((await readFile(`${path}.lock`, 'utf8')).includes('v'), 'the lock file holds a token');
});

test('a corrupted file is ERR_STORAGE naming the path, is not overwritten, and its content is not quoted', async (t) => {
  const path = join(await tempDir(t), 'tokens.json');
  await writeFile(path, '{"k": "SECRET-IN-FILE", oops');
  const store = new FileTokenStore({ path });
  const error = await t.throwsAsync(store.get('k'), { instanceOf: AuthError });
  t.is(error!.code, 'ERR_STORAGE');
  t.true(error!.message.includes(path));
  t.false(error!.message.includes('SECRET-IN-FILE'));
  t.is((await t.throwsAsync(store.set('x', 'y'), { instanceOf: AuthError }))!.code, 'ERR_STORAGE');
  t.is(await readFile(path, 'utf8'), '{"k": "SECRET-IN-FILE", oops');
  await writeFile(path, '{"k": 1}');
  t.is((await t.throwsAsync(store.get('k'), { instanceOf: AuthError }))!.code, 'ERR_STORAGE');
  await writeFile(path, '["k"]');
  t.is((await t.throwsAsync(store.get('k'), { instanceOf: AuthError }))!.code, 'ERR_STORAGE');
});

test('concurrent writers in three processes, 50 keys each: every key survives, JSON stays valid', async (t) => {
  const path = join(await tempDir(t), 'authmachine', 'tokens.json');
  const writer = (id: string) => `
    const { FileTokenStore } = await import('./adapters/file-store.ts');
    const store = new FileTokenStore({ path: ${JSON.stringify(path)}, lockTimeoutMs: 20000 });
    for (let i = 0; i < 50; i++) await store.set('${id}-' + i, 'secret-${id}-' + i);
  `;
  await Promise.all(
    ['w1', 'w2', 'w3'].map((id) =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer(id)], {
        cwd: root,
        timeout: 90_000,
      }),
    ),
  );
  const entries = JSON.parse(await readFile(path, 'utf8'));
  t.is(Object.keys(entries).length, 150);
  for (const id of ['w1', 'w2', 'w3']) for (let i = 0; i < 50; i++) t.is(entries[`${id}-${i}`], `secret-${id}-${i}`);
  t.deepEqual((await readdir(join(path, '..'))).sort(), ['tokens.json', 'tokens.json.lock']);
});

test('a leftover lock file (empty, or naming a dead pid) never blocks; a lock a live process holds times out as ERR_STORAGE', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'tokens.json');
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  await writeFile(`${path}.lock`, `${child.pid}\nabc\n`);
  await new FileTokenStore({ path, lockTimeoutMs: 2000 }).set('k', 'v');
  await writeFile(`${path}.lock`, '');
  await new FileTokenStore({ path, lockTimeoutMs: 2000 }).set('k', 'v2');
  t.is(await new FileTokenStore({ path }).get('k'), 'v2');

  const lease = await new FileLock({ pathFor: () => `${path}.lock` }).acquire('k', {
    signal: new AbortController().signal,
  });
  t.teardown(() => lease.release());
  const error = await t.throwsAsync(new FileTokenStore({ path, lockTimeoutMs: 150 }).set('k', 'w'), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_STORAGE');
  t.true(error!.message.includes(`${path}.lock`));
  t.true(error!.message.includes(`pid ${process.pid}`));
  await lease.release();
  await new FileTokenStore({ path, lockTimeoutMs: 2000 }).set('k', 'w');
  t.is(await new FileTokenStore({ path }).get('k'), 'w');
});

test('default path follows XDG_CONFIG_HOME, else ~/.config', (t) => {
  t.is(defaultTokenFilePath({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/a'), '/x/cfg/authmachine/tokens.json');
  t.is(defaultTokenFilePath({}, '/home/a'), '/home/a/.config/authmachine/tokens.json');
  t.is(defaultTokenFilePath({ XDG_CONFIG_HOME: 'relative' }, '/home/a'), '/home/a/.config/authmachine/tokens.json');
  // An empty (or relative) HOME counts as unset: the account's home directory, never a relative path.
  for (const HOME of ['', 'relative']) {
    const path = defaultTokenFilePath({ HOME });
    t.true(path.startsWith('/'), path);
    t.is(path, join(userInfo().homedir, '.config', 'authmachine', 'tokens.json'));
  }
});
