/**
 * The OAuth login over https end to end, as with every real provider: oidc-provider serves https
 * on loopback with a certificate signed by a CA made for this test. The CLI trusts it through
 * --ca-file (in-process) and through NODE_EXTRA_CA_CERTS (a child process: Node reads it at
 * start); without either, the login stops at once with a certificate error and the hint.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliChild } from '../helpers/cli-child.js';
import { runCli } from '../helpers/cli-run.js';
import { CLIENT_ID } from '../helpers/oidc-server.js';
import { approveInChromium, cliHome, loginInChromium, oidcLoginArgv, oidcSuite } from '../helpers/oidc-suite.js';
import { makeThrowawayCa } from '../helpers/throwaway-ca.js';

const ca = makeThrowawayCa();
const test = oidcSuite({ tls: { key: ca.key, cert: ca.cert } });
test.after.always(() => ca.remove());

test('login over https trusting the test CA with --ca-file; later commands keep trusting it; logout revokes', async (t) => {
  const { server } = t.context;
  t.true(server.issuer.startsWith('https://127.0.0.1:'));
  const { env, tokenFile } = await cliHome(t, 'ca-file');
  const { result, page, url } = await loginInChromium(
    t,
    oidcLoginArgv(server, tokenFile, { extra: ['--ca-file', ca.caFile] }),
    env,
    'https-user',
    { ignoreHTTPSErrors: true },
  );
  t.true(url.startsWith(`${server.issuer}/`), 'the authorization endpoint is https');
  t.is(await page.title(), 'Login complete');
  t.is(result.code, 0, result.stderr);
  const profile = JSON.parse(await readFile(join(env.AUTHMACHINE_CONFIG_DIR, 'profiles', 'default.json'), 'utf8'));
  t.is(profile.caFile, ca.caFile);

  const me = await runCli(['call', '/api/me'], env).result;
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).sub, 'https-user');
  const logout = await runCli(['logout'], env).result;
  t.is(logout.code, 0, logout.stderr);
  t.regex(logout.stdout, /revoked at the provider/);
});

test('without the CA the login stops before any browser step: a certificate error, exit 10 and the --ca-file hint', async (t) => {
  const { server } = t.context;
  const { env, home } = await cliHome(t, 'untrusted');
  const result = await runCli(
    ['login', '--issuer', server.issuer, '--client-id', CLIENT_ID, '--store', 'memory', '--no-browser'],
    env,
  ).result;
  t.is(result.code, 10, result.stderr);
  t.regex(result.stderr, /certificate/);
  t.regex(result.stderr, /--ca-file or NODE_EXTRA_CA_CERTS/);
  t.notRegex(result.stderr, /open this URL/);
  const bad = await runCli(
    [
      'login',
      '--issuer',
      server.issuer,
      '--client-id',
      CLIENT_ID,
      '--store',
      'memory',
      '--ca-file',
      join(home, 'missing.pem'),
    ],
    env,
  ).result;
  t.is(bad.code, 2);
  t.regex(bad.stderr, /Could not read the CA file/);
});

test('login over https trusting the test CA through NODE_EXTRA_CA_CERTS (a child process)', async (t) => {
  const { server, browser } = t.context;
  const { env, tokenFile } = await cliHome(t, 'extra-ca');
  const login = cliChild(
    t,
    [
      'login',
      '--issuer',
      server.issuer,
      '--client-id',
      CLIENT_ID,
      '--store',
      'file',
      '--token-file',
      tokenFile,
      '--no-browser',
    ],
    { ...env, NODE_EXTRA_CA_CERTS: ca.caFile },
  );
  const url = await login.printedUrl;
  const page = await approveInChromium(t, browser, server, url, 'https-user', { ignoreHTTPSErrors: true });
  t.is(await page.title(), 'Login complete');
  const { code, stdout, stderr } = await login.result;
  t.is(code, 0, stderr);
  t.regex(stdout, new RegExp(`^Logged in to ${server.issuer.replace(/[.]/g, '\\.')} as https-user\\.`));
});
