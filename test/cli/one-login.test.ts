/**
 * One interactive login at a time per account, with real processes: the built CLI
 * (bin/authmachine.js) against oidc-provider, Chromium playing the person, and a browser launcher
 * ($BROWSER, called by xdg-open) that only counts how often a process asked for a browser.
 *
 * A second `login` while the first waits for approval names the first one's pid, opens nothing,
 * and ends with the first one's login (one approval, one authorization code). When the first
 * process is killed (SIGKILL) the waiter takes over with a login of its own. `token` waits for a
 * login in progress and prints its token, or exits 3 when that login's process dies.
 */
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { FileTokenStore } from '../../adapters/file-store.js';
import { decodeTokenSet, encodeTokenSet } from '../../src/flow/token-codec.js';
import { launchChromium } from '../helpers/chromium.js';
import { isolatedContext, signInAndConsent } from '../helpers/oidc-browser.js';
import { CLIENT_ID, startOidcServer, type OidcServer } from '../helpers/oidc-server.js';

interface Context {
  server: OidcServer;
  browser: Browser;
  dir: string;
  counts: { approvals: number; grants: number };
}
const test = anyTest as TestFn<Context>;
const root = fileURLToPath(new URL('../..', import.meta.url));

test.before(async (t) => {
  t.context.server = await startOidcServer();
  t.context.browser = await launchChromium();
  t.context.dir = await mkdtemp(join(tmpdir(), 'authmachine-one-login-'));
  // An object: each test gets a shallow copy of the hook's context, so counters must be shared by reference.
  const counts = { approvals: 0, grants: 0 };
  t.context.counts = counts;
  t.context.server.provider.on('authorization.success', () => counts.approvals++);
  t.context.server.provider.on('grant.success', () => counts.grants++);
});
test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.server?.close();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

interface Account {
  env: NodeJS.ProcessEnv;
  tokenFile: string;
  /** How many times any process asked for a browser. */
  opened(): Promise<number>;
}

/** A fresh home with a display and a browser launcher that only counts its calls. */
async function account(dir: string, name: string): Promise<Account> {
  const home = join(dir, name);
  const empty = join(home, 'xdg');
  await mkdir(empty, { recursive: true });
  const counter = join(home, 'opened.txt');
  const launcher = join(home, 'browser.sh');
  await writeFile(launcher, `#!/bin/sh\necho opened >> '${counter}'\n`);
  await chmod(launcher, 0o700);
  const env = {
    HOME: home,
    PATH: process.env['PATH'] ?? '',
    AUTHMACHINE_CONFIG_DIR: join(home, 'config'),
    // xdg-open with no desktop and no handlers of its own falls back to $BROWSER.
    DISPLAY: ':99',
    BROWSER: launcher,
    XDG_DATA_HOME: empty,
    XDG_DATA_DIRS: empty,
    XDG_CONFIG_HOME: empty,
    XDG_CONFIG_DIRS: empty,
  };
  return {
    env,
    tokenFile: join(home, 'tokens.json'),
    opened: async () =>
      (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter((line) => line === 'opened').length,
  };
}

interface Run {
  child: ChildProcess;
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray>;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, ['bin/authmachine.js', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const check of waiters) check();
  });
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    child,
    result,
    stderrMatch(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stderr);
          if (match) {
            waiters.delete(check);
            resolve(match);
          }
        };
        waiters.add(check);
        check();
        void result.then(() => reject(new Error(`exited without printing ${pattern}; stderr:\n${stderr}`)));
      });
    },
  };
}

const URL_LINE = /open this URL in your browser[^\n]*\n\s+(\S+)\n/;
const WAITING = /Waiting for another authmachine \(pid (\d+)\)/;

function loginArgs(server: OidcServer, tokenFile: string): string[] {
  return [
    'login',
    ...['--issuer', server.issuer, '--client-id', CLIENT_ID, '--resource', server.issuer],
    ...['--store', 'file', '--token-file', tokenFile, '--timeout', '120'],
  ];
}

/** The person approves in Chromium at `url`. */
async function approve(t: { context: { browser: Browser; server: OidcServer } }, url: string, user: string) {
  const context = await isolatedContext(t.context.browser);
  try {
    const page = await context.newPage();
    await page.goto(url);
    await signInAndConsent(page, user, async () => !page.url().startsWith(t.context.server.issuer));
  } finally {
    await context.close();
  }
}

/** Waits until the launcher was called `count` times (it runs a moment after the URL is shown). */
async function openedReaches(acct: Account, count: number): Promise<void> {
  for (let i = 0; i < 600 && (await acct.opened()) < count; i++) await new Promise((r) => setTimeout(r, 50));
}

/** Runs `login` and, while it waits for the person, `token`: token names the login's pid; the person approves. */
async function tokenDuringLogin(
  t: ExecutionContext<Context>,
  env: NodeJS.ProcessEnv,
  { login: loginArgv, token: tokenArgv, user }: { login: string[]; token: string[]; user: string },
) {
  const login = cli(loginArgv, env);
  t.teardown(() => void login.child.kill('SIGKILL'));
  const [, url] = await login.stderrMatch(URL_LINE);
  const token = cli(tokenArgv, env);
  t.teardown(() => void token.child.kill('SIGKILL'));
  const [, pid] = await token.stderrMatch(WAITING);
  t.is(Number(pid), login.child.pid ?? -1);
  await approve(t, url!, user);
  const [loggedIn, printed] = await Promise.all([login.result, token.result]);
  t.is(loggedIn.code, 0, loggedIn.stderr);
  t.is(printed.code, 0, printed.stderr);
  return printed;
}

/** Kills (SIGKILL) a `login` while `token` waits for it: token exits 3 with nothing on stdout, no hang. */
async function tokenWhenLoginDies(
  t: ExecutionContext<Context>,
  env: NodeJS.ProcessEnv,
  { login: loginArgv, token: tokenArgv }: { login: string[]; token: string[] },
) {
  const doomed = cli(loginArgv, env);
  t.teardown(() => void doomed.child.kill('SIGKILL'));
  await doomed.stderrMatch(URL_LINE);
  const orphan = cli(tokenArgv, env);
  t.teardown(() => void orphan.child.kill('SIGKILL'));
  await orphan.stderrMatch(WAITING);
  doomed.child.kill('SIGKILL');
  const left = await orphan.result;
  t.is(left.code, 3, left.stderr);
  t.is(left.stdout, '');
  return left;
}

/** The stored access token of the account's only entry. */
async function storedAccessToken(tokenFile: string): Promise<string> {
  const entries = Object.values(JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>);
  if (entries.length !== 1) throw new Error(`${entries.length} entries`);
  return decodeTokenSet(entries[0]!, tokenFile).accessToken;
}

test.serial(
  'a second login waits for the first (naming its pid), opens no browser, and ends with its login',
  async (t) => {
    t.timeout(4 * 60_000, 'whole processes and Chromium on a busy machine');
    const { server } = t.context;
    const acct = await account(t.context.dir, 'pair');
    const { counts } = t.context;
    const approvalsBefore = counts.approvals;
    const grantsBefore = counts.grants;
    const first = cli(loginArgs(server, acct.tokenFile), acct.env);
    t.teardown(() => void first.child.kill('SIGKILL'));
    const [, url] = await first.stderrMatch(URL_LINE);
    const second = cli(loginArgs(server, acct.tokenFile), acct.env);
    t.teardown(() => void second.child.kill('SIGKILL'));
    const [, pid] = await second.stderrMatch(WAITING);
    t.is(Number(pid), first.child.pid ?? -1, "the waiter names the first process's pid");

    await approve(t, url!, 'pair-user');
    const [a, b] = await Promise.all([first.result, second.result]);
    t.is(a.code, 0, a.stderr);
    t.is(b.code, 0, b.stderr);
    t.regex(b.stdout, /the login another authmachine process just completed/);
    t.notRegex(b.stderr, /open this URL/, 'the waiter never showed an approval URL');
    t.is(await acct.opened(), 1, 'one browser opened, by the first process only');
    t.is(counts.approvals - approvalsBefore, 1, 'one approval');
    t.is(counts.grants - grantsBefore, 1, 'one token request: the code exchanged by the first process');

    // Both ended with the same login: the one stored, which works.
    const status = cli(['call', '/api/me'], acct.env);
    const called = await status.result;
    t.is(called.code, 0, called.stderr);
    t.is(JSON.parse(called.stdout).sub, 'pair-user');
  },
);

test.serial(
  'the first login is killed (SIGKILL) while a second waits: the second takes over with its own login',
  async (t) => {
    t.timeout(4 * 60_000, 'whole processes and Chromium on a busy machine');
    const { server } = t.context;
    const acct = await account(t.context.dir, 'takeover');
    const first = cli(loginArgs(server, acct.tokenFile), acct.env);
    t.teardown(() => void first.child.kill('SIGKILL'));
    await first.stderrMatch(URL_LINE);
    const second = cli(loginArgs(server, acct.tokenFile), acct.env);
    t.teardown(() => void second.child.kill('SIGKILL'));
    await second.stderrMatch(WAITING);
    await openedReaches(acct, 1);

    first.child.kill('SIGKILL');
    t.is((await first.result).code, null, 'killed');
    await second.stderrMatch(/The other login ended without a usable login/);
    const [, url] = await second.stderrMatch(URL_LINE);
    await approve(t, url!, 'takeover-user');
    const b = await second.result;
    t.is(b.code, 0, b.stderr);
    t.regex(b.stdout, /Logged in to /);
    t.notRegex(b.stdout, /another authmachine/);
    await openedReaches(acct, 2);
    t.is(await acct.opened(), 2, 'the second process opened its own browser, once');
    t.truthy(await storedAccessToken(acct.tokenFile));
  },
);

test.serial(
  '`token` waits for a login in progress and prints its token; it exits 3 if that process dies; Ctrl-C ends a wait',
  async (t) => {
    t.timeout(5 * 60_000, 'whole processes and Chromium on a busy machine');
    const { server } = t.context;
    const acct = await account(t.context.dir, 'token-wait');
    // A login whose access token has expired and cannot be renewed: `token` has nothing to print.
    const initial = cli(loginArgs(server, acct.tokenFile), acct.env);
    const [, firstUrl] = await initial.stderrMatch(URL_LINE);
    await approve(t, firstUrl!, 'token-user');
    t.is((await initial.result).code, 0);
    const deadEnd = async () => {
      const store = new FileTokenStore({ path: acct.tokenFile });
      const entries = JSON.parse(await readFile(acct.tokenFile, 'utf8')) as Record<string, string>;
      for (const [key, secret] of Object.entries(entries)) {
        const { refreshToken: _dropped, ...token } = decodeTokenSet(secret, acct.tokenFile);
        await store.set(key, encodeTokenSet({ ...token, expiresAt: Date.now() - 1_000 }));
      }
    };
    await deadEnd();
    const idle = await cli(['token'], acct.env).result;
    t.is(idle.code, 3, 'no login in progress: exit 3 at once');

    // A login waits for the person; `token` waits for it and prints the token it saves.
    const login = loginArgs(server, acct.tokenFile);
    const printed = await tokenDuringLogin(t, acct.env, { login, token: ['token'], user: 'token-user' });
    t.is(printed.stdout, `${await storedAccessToken(acct.tokenFile)}\n`);
    t.is(await acct.opened(), 2, '`token` opened nothing');

    // The login's process dies while `token` waits: exit 3 (a login is needed), no hang.
    await deadEnd();
    await tokenWhenLoginDies(t, acct.env, { login, token: ['token'] });

    // Ctrl-C (SIGINT) ends a wait at once, as cancelled.
    const again = cli(loginArgs(server, acct.tokenFile), acct.env);
    t.teardown(() => void again.child.kill('SIGKILL'));
    await again.stderrMatch(URL_LINE);
    const waiter = cli(loginArgs(server, acct.tokenFile), acct.env);
    t.teardown(() => void waiter.child.kill('SIGKILL'));
    await waiter.stderrMatch(WAITING);
    waiter.child.kill('SIGINT');
    t.is((await waiter.result).code, 130);
    again.child.kill('SIGINT');
    t.is((await again.result).code, 130);
  },
);

test.serial(
  "`token` during a profile's very first login waits for it (no profile saved yet), and exits 3 if it dies",
  async (t) => {
    t.timeout(4 * 60_000, 'whole processes and Chromium on a busy machine');
    const { server } = t.context;
    const acct = await account(t.context.dir, 'first-login');
    const first = ['--profile', 'first'];
    t.is((await cli(['token', ...first], acct.env).result).code, 3, 'no login at all: exit 3 at once');

    // --wait 0 never waits, even while the profile's first login runs.
    const pending = cli([...loginArgs(server, acct.tokenFile), '--profile', 'pending'], acct.env);
    t.teardown(() => void pending.child.kill('SIGKILL'));
    await pending.stderrMatch(URL_LINE);
    t.is((await cli(['token', '--profile', 'pending', '--wait', '0'], acct.env).result).code, 3);
    pending.child.kill('SIGKILL');

    const printed = await tokenDuringLogin(t, acct.env, {
      login: [...loginArgs(server, acct.tokenFile), ...first],
      token: ['token', ...first, '--json'],
      user: 'first-user',
    });
    t.is((JSON.parse(printed.stdout) as { token: string }).token, await storedAccessToken(acct.tokenFile));

    // The first login of another profile dies while `token` waits: exit 3, nothing printed.
    const left = await tokenWhenLoginDies(t, acct.env, {
      login: [...loginArgs(server, acct.tokenFile), '--profile', 'doomed'],
      token: ['token', '--profile', 'doomed'],
    });
    t.regex(left.stderr, /Not logged in \(profile doomed\)/);
  },
);
