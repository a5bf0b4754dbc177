/**
 * `authmachine login --manual`: the seed's way, without a listener. The person approves in the
 * browser and presses Enter; the CLI exchanges the request token. With no state to check, a bare
 * "I am done" is accepted only in this mode, and pressing Enter before approving is reported as
 * declined-or-not-yet (Pocket's 158) rather than hanging.
 */
import test from 'ava';
import { PassThrough } from 'node:stream';
import { startPocketEmulator } from '../../src/pocket/emulator/index.js';
import { cliSandbox, printedAuthorizeUrl } from '../helpers/cli.js';

test('--manual: approve in the browser, press Enter, logged in; no listener was opened', async (t) => {
  const emulator = await startPocketEmulator({ approval: 'page' });
  t.teardown(() => emulator.close());
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });
  const stdin = new PassThrough();
  let pressed = false;
  const result = await sb.run(
    ['login', '--manual', '--base-url', emulator.url],
    {},
    {
      stdin,
      onStderr(text) {
        const url = printedAuthorizeUrl(text);
        if (pressed || !url || !/Press Enter/.test(text)) return;
        pressed = true;
        const parsed = new URL(url);
        // The redirect URI is Pocket's own page: no loopback listener, no state in it.
        t.is(new URL(parsed.searchParams.get('redirect_uri')!).origin, emulator.url);
        t.false(parsed.searchParams.get('redirect_uri')!.includes('state='));
        t.true(emulator.decide(parsed.searchParams.get('request_token')!, 'approve'));
        stdin.write('\n');
      },
    },
  );
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^Logged in to Pocket as demo\./);
  // The person sees the URL before being asked to press Enter.
  t.true(result.stderr.indexOf('/auth/authorize?') < result.stderr.indexOf('Press Enter'));
  t.is((await sb.run(['status'])).code, 0);
});

test('--manual: Enter before approving is reported as declined or not yet approved (exit 4)', async (t) => {
  const emulator = await startPocketEmulator({ approval: 'page' });
  t.teardown(() => emulator.close());
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });
  const stdin = new PassThrough();
  const result = await sb.run(
    ['login', '--manual', '--base-url', emulator.url],
    {},
    {
      stdin,
      onStderr: (text) => void (/Press Enter/.test(text) && stdin.write('\n')),
    },
  );
  t.is(result.code, 4, result.stderr);
  t.regex(result.stderr, /ERR_DECLINED/);
  t.is((await sb.run(['status'])).code, 3);
});
