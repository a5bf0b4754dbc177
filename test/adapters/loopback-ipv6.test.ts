/**
 * The loopback receiver on hosts that differ from the usual: an IPv6-only loopback (a network
 * namespace of the test's own, where 127.0.0.1 is removed from lo), a fixed port for servers that
 * match redirect URIs exactly, and that port already taken.
 */
import test from 'ava';
import { createServer, type AddressInfo } from 'node:net';
import { AuthError } from '../../adapters/errors.js';
import { LoopbackReceiver } from '../../adapters/loopback-receiver.js';
import { runCli } from '../helpers/cli-run.js';
import { runInNetworkNamespace } from '../helpers/network-namespace.js';

test('IPv6-only loopback: the receiver falls back to [::1] and a real Pocket login completes there', async (t) => {
  const report = await runInNetworkNamespace<Record<string, unknown>>(
    'test/adapters/fixtures/ipv6-only-login.ts',
    60_000,
  );
  t.is(report['ipv4Refused'], 'EADDRNOTAVAIL', 'the namespace really has no 127.0.0.1');
  t.is(report['error'], undefined);
  t.regex(String(report['redirectUri']), /^http:\/\/\[::1\]:\d+\/callback$/);
  t.is(report['username'], 'demo');
  t.is(report['items'], 3);
});

async function takenPort(t: { teardown(fn: () => void): void }): Promise<number> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => holder.close());
  return (holder.address() as AddressInfo).port;
}

test('a fixed port is used as given, and a taken one is ERR_LISTENER naming EADDRINUSE (never another port)', async (t) => {
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const port = (free.address() as AddressInfo).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  const session = await new LoopbackReceiver({ port }).listen({ signal: new AbortController().signal });
  t.is(session.redirectUri, `http://127.0.0.1:${port}/callback`);
  await session.close();

  const busy = await takenPort(t);
  const error = await t.throwsAsync(
    new LoopbackReceiver({ port: busy }).listen({ signal: new AbortController().signal }),
    { instanceOf: AuthError },
  );
  t.is(error!.code, 'ERR_LISTENER');
  t.regex(error!.message, new RegExp(`127\\.0\\.0\\.1:${busy} \\(EADDRINUSE\\): another program is using that port`));
});

test('login --redirect-port on a taken port: exit 9 with the port named, before any request; bad values are usage errors', async (t) => {
  const busy = await takenPort(t);
  const env = { AUTHMACHINE_CONFIG_DIR: '/nonexistent-authmachine-test', HOME: '/nonexistent-authmachine-test' };
  const result = await runCli(
    [
      'login',
      '--issuer',
      'http://127.0.0.1:9/',
      '--client-id',
      'app',
      '--store',
      'memory',
      '--no-browser',
      '--redirect-port',
      String(busy),
    ],
    env,
  ).result;
  t.is(result.code, 9, result.stderr);
  t.regex(result.stderr, /EADDRINUSE/);
  t.notRegex(result.stderr, /open this URL/);
  for (const value of ['0', '-1', '70000', 'x']) {
    const bad = await runCli(
      ['login', '--issuer', 'http://127.0.0.1:9/', '--client-id', 'app', '--redirect-port', value],
      env,
    ).result;
    t.is(bad.code, 2, value);
    t.regex(bad.stderr, /--redirect-port takes a whole number from 1 to 65535/, value);
  }
});
