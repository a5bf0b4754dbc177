/**
 * What the preset tests (test/providers/) share: the imitation server and a fresh HOME for one
 * test (both gone when it ends), the `login --provider` command line with a token file, the CLI
 * run in-process until it prints the authorization URL or the device code, and a person in
 * Chromium who approves on the imitation's page (or types the code on "another device"). Chromium
 * only visits loopback.
 */
import type { ExecutionContext } from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type CliRun, runCli } from './cli-run.js';
import { isolatedContext } from './oidc-browser.js';

export async function newHome(name: string) {
  const home = await mkdtemp(join(tmpdir(), `authmachine-${name}-`));
  return {
    home,
    env: { AUTHMACHINE_CONFIG_DIR: join(home, 'config'), HOME: home } as NodeJS.ProcessEnv,
    tokenFile: join(home, 'tokens.json'),
  };
}

export const BROWSER_URL = /open this URL in your browser[^\n]*\n\s+(\S+)\n/;
export const DEVICE_PROMPT = /To approve, open (\S+) and enter the code: (\S+)\n/;

/** A preset's imitation server, as far as the set-up needs it. */
export interface ImitationServer {
  origin: string;
  close(): Promise<void>;
}

export interface PresetLogin {
  home: string;
  /** HOME and AUTHMACHINE_CONFIG_DIR in `home`, plus the preset's own variables. */
  env: NodeJS.ProcessEnv;
  tokenFile: string;
  /** `login --provider P --base-url <origin> --client-id ID ...extra --store file --token-file F`. */
  loginArgv(...extra: string[]): string[];
  /** Runs `login ... --no-browser ...extra` until it prints the authorization URL. */
  browserLogin(extra?: string[], env?: NodeJS.ProcessEnv): Promise<{ login: CliRun; url: string }>;
  /** Runs `login ... --device ...extra` until it prints where to enter which code. */
  deviceLogin(extra?: string[], env?: NodeJS.ProcessEnv): Promise<{ login: CliRun; uri: string; code: string }>;
  /** Runs any command in this HOME to its end. */
  run(argv: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * A HOME for logging in to `server` with `--provider provider`; the server is closed and the HOME
 * removed when the test ends. `env`: variables for every command (e.g. AUTHMACHINE_CLIENT_SECRET).
 */
export async function presetLogin(
  t: ExecutionContext<unknown>,
  server: ImitationServer,
  preset: { provider: string; clientId: string; env?: NodeJS.ProcessEnv },
): Promise<PresetLogin> {
  t.teardown(() => server.close());
  const { home, env: plain, tokenFile } = await newHome(preset.provider);
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const env = { ...plain, ...preset.env };
  const loginArgv = (...extra: string[]) => [
    'login',
    '--provider',
    preset.provider,
    '--base-url',
    server.origin,
    '--client-id',
    preset.clientId,
    ...extra,
    '--store',
    'file',
    '--token-file',
    tokenFile,
  ];
  return {
    home,
    env,
    tokenFile,
    loginArgv,
    async browserLogin(extra = [], more = {}) {
      const login = runCli(loginArgv('--no-browser', ...extra), { ...env, ...more });
      const [, url] = await login.stderrMatch(BROWSER_URL);
      return { login, url: url! };
    },
    async deviceLogin(extra = [], more = {}) {
      const login = runCli(loginArgv('--device', ...extra), { ...env, ...more });
      const [, uri, code] = await login.stderrMatch(DEVICE_PROMPT);
      return { login, uri: uri!, code: code! };
    },
    run: (argv, more = {}) => runCli(argv, { ...env, ...more }).result,
  };
}

async function withPage<T>(browser: Browser, work: (page: Page) => Promise<T>): Promise<T> {
  const context = await isolatedContext(browser);
  try {
    return await work(await context.newPage());
  } finally {
    await context.close();
  }
}

/** Opens the authorization URL, clicks Authorize (or Cancel) and waits for the loopback page; returns its title. */
export function approveInBrowser(
  browser: Browser,
  url: string,
  decision: 'approve' | 'deny' = 'approve',
): Promise<string> {
  return withPage(browser, async (page) => {
    await page.goto(url);
    const provider = new URL(url).origin;
    await Promise.all([page.waitForURL((u) => u.origin !== provider), page.click(`#${decision}`)]);
    await page.waitForLoadState('domcontentloaded');
    return page.title();
  });
}

/** Types the user code on the device page and confirms; returns the page's title. */
export function enterDeviceCode(
  browser: Browser,
  verificationUri: string,
  userCode: string,
  decision: 'continue' | 'deny' = 'continue',
): Promise<string> {
  return withPage(browser, async (page) => {
    await page.goto(verificationUri);
    await page.fill('input[name="user_code"]', userCode);
    await Promise.all([page.waitForNavigation(), page.click(`#${decision}`)]);
    return page.title();
  });
}

/** The token set stored for the one login in a token file. */
export async function storedToken(tokenFile: string): Promise<Record<string, unknown>> {
  const entries = Object.values(JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>);
  if (entries.length !== 1) throw new Error(`expected one stored login, found ${entries.length}`);
  return (JSON.parse(entries[0]!) as { token: Record<string, unknown> }).token;
}

export async function storedEntries(tokenFile: string): Promise<number> {
  return Object.keys(JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>).length;
}
