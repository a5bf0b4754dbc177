/**
 * The OAuth login over https end to end, as with every real provider: oidc-provider serves https
 * on loopback with a certificate signed by a CA made for this test. The CLI trusts it through
 * --ca-file (in-process) and through NODE_EXTRA_CA_CERTS (a child process: Node reads it at
 * start); without either, the login stops at once with a certificate error and the hint.
 */
import anyTest, { type TestFn } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli-run.js';
import { signInAndConsent } from '../helpers/oidc-browser.js';
import { CLIENT_ID, startOidcServer, type OidcServer } from '../helpers/oidc-server.js';
import { makeThrowawayCa, type ThrowawayCa } from '../helpers/throwaway-ca.js';

const test = anyTest as TestFn<{ server: OidcServer; browser: Browser; dir: string; ca: ThrowawayCa }>;
const root = fileURLToPath(new URL('../..', import.meta.url));

test.before(async (t) => {
  t.context.ca = makeThrowawayCa();
  t.context.server = await startOidcServer({ tls: { key: t.context.ca.key, cert: t.context.ca.cert } });
  t.context.browser = await launchChromium();
  t.context.dir = await mkdtemp(join(tmpdir(), 'authmachine-https-'));
});
test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.server?.close();
  t.context.ca?.remove();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

function homeFor(dir: string, name: string) {
  const home = join(dir, name);
  return { env: { AUTHMACHINE_CONFIG_DIR: join(home, 'config'), HOME: home }, tokenFile: join(home, 'tokens.json') };
}

/** The person in Chromium: the browser is told to accept the test CA's certificate (only the CLI's trust is under test). */
async function approveInBrowser(browser: Browser, server: OidcServer, url: string): Promise<string> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    await context.route('**/*', (route) =>
      new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    await page.goto(url);
    await signInAndConsent(page, 'https-user', async () => !page.url().startsWith(server.issuer));
    await page.waitForLoadState('domcontentloaded');
    return await page.title();
  } finally {
    await context.close();
  }
}

test('login over https trusting the test CA with --ca-file; later commands keep trusting it; logout revokes', async (t) => {
  const { server, browser, dir, ca } = t.context;
  t.true(server.issuer.startsWith('https://127.0.0.1:'));
  const { env, tokenFile } = homeFor(dir, 'ca-file');
  const login = runCli(
    [
      'login',
      '--issuer',
      server.issuer,
      '--client-id',
      CLIENT_ID,
      '--resource',
      server.issuer,
      '--store',
      'file',
      '--token-file',
      tokenFile,
      '--no-browser',
      '--ca-file',
      ca.caFile,
    ],
    env,
  );
  const [, url] = await login.stderrMatch(/open this URL in your browser[^\n]*\n\s+(\S+)\n/);
  t.true(url!.startsWith(`${server.issuer}/`), 'the authorization endpoint is https');
  t.is(await approveInBrowser(browser, server, url!), 'Login complete');
  const result = await login.result;
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
  const { server, dir } = t.context;
  const { env } = homeFor(dir, 'untrusted');
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
      join(dir, 'missing.pem'),
    ],
    env,
  ).result;
  t.is(bad.code, 2);
  t.regex(bad.stderr, /Could not read the CA file/);
});

test('login over https trusting the test CA through NODE_EXTRA_CA_CERTS (a child process)', async (t) => {
  const { server, browser, dir, ca } = t.context;
  const { env, tokenFile } = homeFor(dir, 'extra-ca');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/fixtures/cli-main.ts',
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
    {
      cwd: root,
      env: { PATH: process.env['PATH'], ...env, NODE_EXTRA_CA_CERTS: ca.caFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /open this URL in your browser[^\n]*\n\s+(\S+)\n/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`login exited early: ${stderr}`)));
  });
  t.is(await approveInBrowser(browser, server, url), 'Login complete');
  t.is(await exited, 0, stderr);
  t.regex(stdout, new RegExp(`^Logged in to ${server.issuer.replace(/[.]/g, '\\.')} as https-user\\.`));
});
