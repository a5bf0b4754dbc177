/**
 * The file store's permission rules, like ssh's: folders it creates are 0700 whatever the umask,
 * folders it did not create are never re-moded, and a file or folder another user owns or can
 * write is refused with a message that says what to fix. Ownership cases chown to uid 65534
 * (nobody), which needs root, as CI is.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AuthError } from '../../adapters/errors.js';
import { FileTokenStore } from '../../adapters/file-store.js';
import { bundleFixture } from '../helpers/bundle-fixture.js';

const run = promisify(execFile);
const NOBODY = 65534;

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-perm-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const mode = async (path: string) => (await stat(path)).mode & 0o7777;

async function refused(t: ExecutionContext, work: Promise<unknown>, ...parts: string[]): Promise<void> {
  const error = await t.throwsAsync(work, { instanceOf: AuthError });
  t.is(error!.code, 'ERR_STORAGE');
  for (const part of parts) t.true(error!.message.includes(part), `"${error!.message}" lacks "${part}"`);
}

test('under umask 000 every folder it creates is 0700 and the file 0600', async (t) => {
  const bundle = await bundleFixture('test/fixtures/store-worker.ts');
  t.teardown(bundle.remove);
  const base = await tempDir(t);
  const path = join(base, 'home', '.config', 'authmachine', 'tokens.json');
  await run('sh', ['-c', `umask 000; exec "$0" "$@"`, process.execPath, bundle.path, 'once', path, 'k']);
  for (const dir of ['home', 'home/.config', 'home/.config/authmachine']) t.is(await mode(join(base, dir)), 0o700, dir);
  t.is(await mode(path), 0o600);
  t.is(await mode(base), 0o700, 'the existing parent was changed');
});

test('an existing folder of its own is used as it is, never re-moded (0755, 0711)', async (t) => {
  for (const before of [0o755, 0o711]) {
    const dir = join(await tempDir(t), 'mine');
    await mkdir(dir);
    await chmod(dir, before);
    const store = new FileTokenStore({ path: join(dir, 't.json') });
    await store.set('k', 'v');
    t.is(await store.get('k'), 'v');
    t.is(await mode(dir), before);
  }
});

test('a folder writable by group or others (even sticky, like /tmp) is refused, says chmod go-w, and keeps its mode', async (t) => {
  for (const before of [0o775, 0o757, 0o1777]) {
    const dir = join(await tempDir(t), 'shared');
    await mkdir(dir);
    await chmod(dir, before);
    const store = new FileTokenStore({ path: join(dir, 't.json') });
    await refused(t, store.set('k', 'v'), dir, 'writable by group or others', `chmod go-w ${dir}`);
    await refused(t, store.get('k'), dir, 'chmod go-w');
    t.is(await mode(dir), before);
    t.deepEqual(await readdir(dir), [], 'something was written into the refused folder');
  }
});

test('the real /tmp is refused as a token folder and left as it is', async (t) => {
  const before = await mode('/tmp');
  const store = new FileTokenStore({ path: join('/tmp', `authmachine-never-${process.pid}.json`) });
  await refused(t, store.set('k', 'v'), '/tmp', 'chmod go-w');
  t.is(await mode('/tmp'), before);
});

test('a token file owned by another user is refused on read and write, untouched, with what to do', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 't.json');
  await writeFile(path, JSON.stringify({ k: 'planted-token' }), { mode: 0o600 });
  await chown(path, NOBODY, NOBODY);
  const store = new FileTokenStore({ path });
  await refused(t, store.get('k'), path, `owned by uid ${NOBODY}`, 'Delete it');
  await refused(t, store.set('k', 'mine'), path, `owned by uid ${NOBODY}`);
  await refused(t, store.delete('k'), path);
  t.is(await readFile(path, 'utf8'), JSON.stringify({ k: 'planted-token' }));
  t.is((await stat(path)).uid, NOBODY);
});

test('a token folder owned by another user is refused on read and write, untouched', async (t) => {
  const dir = join(await tempDir(t), 'theirs');
  await mkdir(dir, { mode: 0o700 });
  await writeFile(join(dir, 't.json'), JSON.stringify({ k: 'planted-token' }), { mode: 0o600 });
  await chown(dir, NOBODY, NOBODY);
  const store = new FileTokenStore({ path: join(dir, 't.json') });
  await refused(t, store.get('k'), dir, `owned by uid ${NOBODY}`, 'Use a folder of your own');
  await refused(t, store.set('k', 'mine'), dir, `owned by uid ${NOBODY}`);
  t.deepEqual(await readdir(dir), ['t.json']);
  t.is(await mode(dir), 0o700);
});

test('a token file others can read or write is refused with chmod 600, and left as it is', async (t) => {
  for (const before of [0o644, 0o620, 0o606]) {
    const dir = await tempDir(t);
    const path = join(dir, 't.json');
    await writeFile(path, JSON.stringify({ k: 'v' }));
    await chmod(path, before);
    const store = new FileTokenStore({ path });
    await refused(t, store.get('k'), path, `chmod 600 ${path}`);
    await refused(t, store.set('k', 'w'), path, 'chmod 600');
    t.is(await mode(path), before);
  }
});

test('a symbolic link in place of the token file is refused, not followed', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'elsewhere.json'), JSON.stringify({ k: 'v' }), { mode: 0o600 });
  await symlink(join(dir, 'elsewhere.json'), join(dir, 't.json'));
  const store = new FileTokenStore({ path: join(dir, 't.json') });
  await refused(t, store.get('k'), join(dir, 't.json'), 'symbolic link');
  await refused(t, store.set('k', 'w'), 'symbolic link');
  t.is(await readFile(join(dir, 'elsewhere.json'), 'utf8'), JSON.stringify({ k: 'v' }));
});

test('a FIFO (or any non-file) in place of the token file is refused at once, not waited on, and left there', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 't.json');
  await run('mkfifo', ['-m', '600', path]);
  const store = new FileTokenStore({ path });
  // Opening a FIFO for reading blocks until a writer comes: none will, so a hang fails the test.
  await refused(t, store.get('k'), path, 'not a regular file');
  await refused(t, store.set('k', 'w'), 'not a regular file');
  t.true((await stat(path)).isFIFO(), 'the FIFO is not ours: left as it was');
});

test('a relative path is kept absolute', (t) => {
  t.is(new FileTokenStore({ path: 'rel/t.json' }).location, resolve('rel/t.json'));
});

test('a read-only folder is ERR_STORAGE naming the folder, at probe() and set(), and leaves no token behind', async (t) => {
  // Root writes anywhere: the store runs as uid 65534, owner of a 0500 folder.
  const bundle = await bundleFixture('test/fixtures/store-readonly.ts');
  t.teardown(bundle.remove);
  const base = await tempDir(t);
  await chmod(base, 0o755);
  const dir = join(base, 'config');
  await mkdir(dir, { mode: 0o700 });
  await writeFile(join(dir, 't.json'), JSON.stringify({ old: 'tok-old' }), { mode: 0o600 });
  await chown(dir, NOBODY, NOBODY);
  await chown(join(dir, 't.json'), NOBODY, NOBODY);
  await chmod(dir, 0o500);
  const { stdout } = await run(process.execPath, [bundle.path, join(dir, 't.json')], { uid: NOBODY, gid: NOBODY });
  const results = JSON.parse(stdout) as Array<{ step: string; code?: string; message?: string }>;
  for (const step of ['probe', 'set']) {
    const result = results.find((r) => r.step === step)!;
    t.is(result.code, 'ERR_STORAGE', step);
    t.true(result.message!.includes(dir), `${step}: ${result.message}`);
    t.true(result.message!.includes('not writable'), `${step}: ${result.message}`);
    t.false(result.message!.includes('tok-'), 'a token reached the message');
  }
  t.deepEqual(await readdir(dir), ['t.json']);
  t.is(await readFile(join(dir, 't.json'), 'utf8'), JSON.stringify({ old: 'tok-old' }));
});
