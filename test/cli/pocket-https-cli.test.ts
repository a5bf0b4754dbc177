/**
 * Pocket over https, as the real service was: the emulator serves https on loopback with a
 * certificate signed by a CA made for this test. The CLI trusts it for `--base-url` through
 * --ca-file (in-process; kept in the profile for `items` and `logout`) and through
 * NODE_EXTRA_CA_CERTS (a child process: Node reads it at start); without either, the login stops
 * at the first request with the certificate error, exit 10 and the hint.
 */
import anyTest, { type TestFn } from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSUMER_KEY_ENV } from '../../src/cli/options/secrets.js';
import { startPocketEmulator, type PocketEmulator } from '../../src/pocket/emulator/index.js';
import { cliChild } from '../helpers/cli-child.js';
import { runCli } from '../helpers/cli-run.js';
import { makeThrowawayCa, type ThrowawayCa } from '../helpers/throwaway-ca.js';

const test = anyTest as TestFn<{ emulator: PocketEmulator; dir: string; ca: ThrowawayCa }>;
const URL_LINE = /open this URL in your browser[^\n]*\n\s+(\S+)\n/;

test.before(async (t) => {
  t.context.ca = makeThrowawayCa();
  t.context.emulator = await startPocketEmulator({
    approval: 'auto-approve',
    tls: { key: t.context.ca.key, cert: t.context.ca.cert },
  });
  t.context.dir = await mkdtemp(join(tmpdir(), 'authmachine-pocket-https-'));
});
test.after.always(async (t) => {
  await t.context.emulator?.close();
  t.context.ca?.remove();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

function homeFor(t: { context: { dir: string; emulator: PocketEmulator } }, name: string) {
  const home = join(t.context.dir, name);
  return {
    env: {
      AUTHMACHINE_CONFIG_DIR: join(home, 'config'),
      HOME: home,
      [CONSUMER_KEY_ENV]: t.context.emulator.consumerKey,
    },
    tokenFile: join(home, 'tokens.json'),
  };
}

/**
 * The person's browser: opens the https authorize page (trusting the test CA: only the CLI's
 * trust is under test), which approves at once and redirects to the loopback listener; returns
 * the title of the page the listener answers with once the login has ended.
 */
async function approve(url: string, caPem: string): Promise<string> {
  const location = await new Promise<string>((resolve, reject) => {
    get(url, { ca: caPem }, (res) => {
      res.resume();
      resolve(res.headers.location ?? '');
    }).on('error', reject);
  });
  const page = await (await fetch(new URL(location, url))).text();
  return /<title>([^<]*)<\/title>/.exec(page)?.[1] ?? '';
}

const loginArgs = (baseUrl: string, tokenFile: string) => [
  'login',
  '--base-url',
  baseUrl,
  '--store',
  'file',
  '--token-file',
  tokenFile,
  '--no-browser',
];

test('Pocket login over https trusting the test CA with --ca-file; items and logout keep trusting it', async (t) => {
  const { emulator, ca } = t.context;
  t.true(emulator.url.startsWith('https://127.0.0.1:'));
  const { env, tokenFile } = homeFor(t, 'ca-file');
  const login = runCli([...loginArgs(emulator.url, tokenFile), '--ca-file', ca.caFile], env);
  const [, url] = await login.stderrMatch(URL_LINE);
  t.true(url!.startsWith(`${emulator.url}/auth/authorize?`), 'the authorize page is https');
  t.is(await approve(url!, ca.caPem), 'Login complete');
  const result = await login.result;
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^Logged in to Pocket as demo\./);
  const profile = JSON.parse(await readFile(join(env.AUTHMACHINE_CONFIG_DIR, 'profiles', 'default.json'), 'utf8'));
  t.like(profile, { provider: 'pocket', baseUrl: emulator.url, caFile: ca.caFile });

  const items = await runCli(['items', '--ndjson'], env).result;
  t.is(items.code, 0, items.stderr);
  t.is(items.stdout.trimEnd().split('\n').length, 10);
  const logout = await runCli(['logout'], env).result;
  t.is(logout.code, 0, logout.stderr);
});

test('without the CA the Pocket login stops at the first request: a certificate error, exit 10 and the hint', async (t) => {
  const { emulator, dir } = t.context;
  const { env, tokenFile } = homeFor(t, 'untrusted');
  const result = await runCli(loginArgs(emulator.url, tokenFile), env).result;
  t.is(result.code, 10, result.stderr);
  t.regex(result.stderr, /certificate/);
  t.regex(result.stderr, /--ca-file or NODE_EXTRA_CA_CERTS/);
  t.notRegex(result.stderr, /open this URL/);
  const bad = await runCli([...loginArgs(emulator.url, tokenFile), '--ca-file', join(dir, 'missing.pem')], env).result;
  t.is(bad.code, 2);
  t.regex(bad.stderr, /Could not read the CA file/);
});

test('Pocket login over https trusting the test CA through NODE_EXTRA_CA_CERTS (a child process)', async (t) => {
  const { emulator, ca } = t.context;
  const { env, tokenFile } = homeFor(t, 'extra-ca');
  const login = cliChild(t, loginArgs(emulator.url, tokenFile), { ...env, NODE_EXTRA_CA_CERTS: ca.caFile });
  const url = await login.printedUrl;
  t.is(await approve(url, ca.caPem), 'Login complete');
  const { code, stdout, stderr } = await login.result;
  t.is(code, 0, stderr);
  t.regex(stdout, /^Logged in to Pocket as demo\./);
});
