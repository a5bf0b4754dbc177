import test from 'ava';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AuthError } from '../../adapters/errors.js';
import { PrintBrowserOpener } from '../../adapters/browser-print.js';
import { SystemBrowserOpener } from '../../adapters/browser-open.js';

const live = () => new AbortController().signal;
// Characters a shell would act on: if any reached a shell, the recorded argument would differ.
const trickyUrl = 'https://auth.example.test/authorize?request_token=abc&redirect_uri=x;touch%20y&q=$(id)\'"`';

async function tempDir(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-open-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('print opener writes the URL line to its stream', async (t) => {
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk) => (text += chunk));
  await new PrintBrowserOpener({ output }).open('https://getpocket.com/auth/authorize?request_token=t', live());
  t.is(text, 'Open this URL in a browser: https://getpocket.com/auth/authorize?request_token=t\n');
});

test('print opener refuses non-http URLs and control characters, and honours abort', async (t) => {
  const opener = new PrintBrowserOpener({ output: new PassThrough() });
  t.is((await t.throwsAsync(opener.open('file:///etc/passwd', live()), { instanceOf: AuthError }))!.code, 'ERR_CONFIG');
  t.is(
    (await t.throwsAsync(opener.open('https://x.test/\u001b[2J', live()), { instanceOf: AuthError }))!.code,
    'ERR_CONFIG',
  );
  t.is(
    (await t.throwsAsync(opener.open('https://x.test/', AbortSignal.abort()), { instanceOf: AuthError }))!.code,
    'ERR_CANCELLED',
  );
});

test('system opener: a launcher exiting non-zero rejects with ERR_BROWSER', async (t) => {
  const opener = new SystemBrowserOpener({ app: { name: '/bin/false' } });
  const error = await t.throwsAsync(opener.open('https://auth.example.test/?request_token=SECRET', live()), {
    instanceOf: AuthError,
  });
  t.is(error!.code, 'ERR_BROWSER');
  t.regex(error!.message, /exited with code 1/);
  t.false(error!.message.includes('SECRET'));
});

test('system opener: a launcher exiting 0 resolves', async (t) => {
  await t.notThrowsAsync(
    new SystemBrowserOpener({ app: { name: '/bin/true' } }).open('https://auth.example.test/', live()),
  );
});

test('system opener: a missing launcher rejects with ERR_BROWSER', async (t) => {
  const error = await t.throwsAsync(
    new SystemBrowserOpener({ app: { name: '/nonexistent/browser' } }).open('https://auth.example.test/', live()),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_BROWSER');
});

test('system opener: the URL reaches the launcher as one unmodified argument (no shell)', async (t) => {
  const dir = await tempDir(t);
  const launcher = join(dir, 'fake-browser');
  const record = join(dir, 'args.txt');
  await writeFile(launcher, '#!/bin/sh\nout="$1"; shift\nprintf \'%s\\n\' "$#" "$@" > "$out"\n');
  await chmod(launcher, 0o755);
  await new SystemBrowserOpener({ app: { name: launcher, arguments: [record] } }).open(trickyUrl, live());
  t.is(await readFile(record, 'utf8'), `1\n${trickyUrl}\n`);
});

test('system opener: a launcher still running after the watch window counts as opened', async (t) => {
  const dir = await tempDir(t);
  const launcher = join(dir, 'slow-browser');
  await writeFile(launcher, '#!/bin/sh\nexec sleep 2\n');
  await chmod(launcher, 0o755);
  await t.notThrowsAsync(
    new SystemBrowserOpener({ app: { name: launcher }, exitWatchMs: 200 }).open('https://auth.example.test/', live()),
  );
});

test('system opener: aborting while watching the launcher rejects with ERR_CANCELLED', async (t) => {
  const dir = await tempDir(t);
  const launcher = join(dir, 'slow-browser');
  await writeFile(launcher, '#!/bin/sh\nexec sleep 30\n'); // far longer than any scheduling delay: the abort must win
  await chmod(launcher, 0o755);
  const controller = new AbortController();
  const pending = new SystemBrowserOpener({ app: { name: launcher }, exitWatchMs: 10_000 }).open(
    'https://auth.example.test/',
    controller.signal,
  );
  setTimeout(() => controller.abort(), 100);
  t.is((await t.throwsAsync(pending, { instanceOf: AuthError }))!.code, 'ERR_CANCELLED');
});

test('system opener refuses non-http URLs before launching anything', async (t) => {
  const error = await t.throwsAsync(
    new SystemBrowserOpener({ app: { name: '/bin/true' } }).open('javascript:alert(1)', live()),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_CONFIG');
});

test('system opener: an abort while the launcher is still being started rejects with ERR_CANCELLED', async (t) => {
  const dir = await tempDir(t);
  const launcher = join(dir, 'slow-browser');
  await writeFile(launcher, '#!/bin/sh\nexec sleep 30\n');
  await chmod(launcher, 0o755);
  const controller = new AbortController();
  const pending = new SystemBrowserOpener({ app: { name: launcher }, exitWatchMs: 10_000 }).open(
    'https://auth.example.test/',
    controller.signal,
  );
  // open() is now awaiting its import and the spawn: the abort lands before it watches the signal.
  controller.abort();
  t.is((await t.throwsAsync(pending, { instanceOf: AuthError }))!.code, 'ERR_CANCELLED');
});
