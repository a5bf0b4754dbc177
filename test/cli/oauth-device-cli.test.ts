/**
 * `authmachine login --device` against a real OpenID provider: the CLI shows the verification URL
 * and the user code, a person (Chromium) types the code on another "device", the CLI's machine
 * polls until approved, and the login is usable by `call`. No token is printed.
 */
import { readFile } from 'node:fs/promises';
import { runCli } from '../helpers/cli-run.js';
import { enterDeviceCode, isolatedContext } from '../helpers/oidc-browser.js';
import { cliHome, oidcLoginArgv, oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite({ deviceInterval: 1 });

test('login --device shows a code, polls until it is entered elsewhere, and the login works', async (t) => {
  const { server, browser } = t.context;
  const { env, tokenFile } = await cliHome(t, 'device');

  const login = runCli(oidcLoginArgv(server, tokenFile, { device: true }), env);
  const [, url, userCode] = await login.stderrMatch(/To approve, open (\S+) and enter the code: (\S+)\n/);
  t.truthy(userCode);
  const context = await isolatedContext(browser);
  t.teardown(() => context.close());
  const title = await enterDeviceCode(
    await context.newPage(),
    new URL(url!).origin + new URL(url!).pathname,
    userCode!,
    { login: 'device-user' },
  );
  t.is(title, 'Sign-in Success');

  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.is(done.stdout, `Logged in to ${server.issuer} as device-user. Token kept in ${tokenFile}.\n`);
  t.notRegex(done.stderr, /it should open by itself/, 'no browser is promised on a device login');

  const me = await runCli(['call', '/api/me'], env).result;
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).sub, 'device-user');

  const stored = Object.values(JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>);
  const token = (JSON.parse(stored[0]!) as { token: { accessToken: string } }).token.accessToken;
  t.false(`${done.stdout}${done.stderr}${me.stdout}${me.stderr}`.includes(token));
});
