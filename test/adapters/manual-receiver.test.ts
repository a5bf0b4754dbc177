import test from 'ava';
import { PassThrough } from 'node:stream';
import { AuthError } from '../../adapters/errors.js';
import { DEFAULT_MANUAL_PROMPT, ManualReceiver } from '../../adapters/manual-receiver.js';

function streams() {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk) => (printed += chunk));
  return { input, output, printed: () => printed };
}

const redirectUri = 'https://example.test/authmachine-done';

test('prints the prompt on expect() and confirms on Enter', async (t) => {
  const io = streams();
  const session = await new ManualReceiver({ redirectUri, input: io.input, output: io.output }).listen({
    signal: new AbortController().signal,
  });
  t.is(session.redirectUri, redirectUri);
  t.is(io.printed(), '');
  session.expect(null);
  t.is(io.printed(), `${DEFAULT_MANUAL_PROMPT}\n`);
  io.input.write('\n');
  t.deepEqual(await session.callback, { kind: 'confirmed' });
  t.is(io.input.listenerCount('data'), 0);
});

test('input before expect() does not confirm; text without a newline does not either', async (t) => {
  const io = streams();
  const session = await new ManualReceiver({ redirectUri, input: io.input, output: io.output, prompt: 'Go on' }).listen(
    { signal: new AbortController().signal },
  );
  io.input.write('\n');
  const early = await Promise.race([
    session.callback,
    new Promise((resolve) => setTimeout(() => resolve('waiting'), 20)),
  ]);
  t.is(early, 'waiting');
  io.input.read(); // drop what was typed too early
  session.expect(null);
  t.is(io.printed(), 'Go on\n');
  io.input.write('yes');
  const state = await Promise.race([
    session.callback,
    new Promise((resolve) => setTimeout(() => resolve('waiting'), 50)),
  ]);
  t.is(state, 'waiting');
  io.input.write('\r\n');
  t.deepEqual(await session.callback, { kind: 'confirmed' });
});

test('abort stops listening to input and rejects with ERR_CANCELLED', async (t) => {
  const io = streams();
  const controller = new AbortController();
  const session = await new ManualReceiver({ redirectUri, input: io.input, output: io.output }).listen({
    signal: controller.signal,
  });
  session.expect(null);
  t.is(io.input.listenerCount('data'), 1);
  controller.abort();
  t.is((await t.throwsAsync(session.callback, { instanceOf: AuthError }))!.code, 'ERR_CANCELLED');
  t.is(io.input.listenerCount('data'), 0);
  t.true(io.input.isPaused());
});

test('close() stops listening, is idempotent, and input closing early cancels', async (t) => {
  const io = streams();
  const session = await new ManualReceiver({ redirectUri, input: io.input, output: io.output }).listen({
    signal: new AbortController().signal,
  });
  session.expect(null);
  await session.close();
  await session.close();
  t.is(io.input.listenerCount('data'), 0);
  t.is((await t.throwsAsync(session.callback, { instanceOf: AuthError }))!.code, 'ERR_CANCELLED');

  const io2 = streams();
  const ended = await new ManualReceiver({ redirectUri, input: io2.input, output: io2.output }).listen({
    signal: new AbortController().signal,
  });
  ended.expect(null);
  io2.input.end();
  t.is((await t.throwsAsync(ended.callback, { instanceOf: AuthError }))!.code, 'ERR_CANCELLED');
});
