/**
 * The set-up most OAuth test files share: one real oidc-provider and one Chromium for the whole
 * file, both closed after it; a HOME of its own for each CLI user; the `login --issuer` command
 * line; and the person in Chromium who signs in and consents at the URL the CLI printed.
 */
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { runCli } from './cli-run.js';
import { isolatedContext, signInAndConsent } from './oidc-browser.js';
import { CLIENT_ID, startOidcServer, type OidcServer, type OidcServerOptions } from './oidc-server.js';

export type OidcSuiteContext = { server: OidcServer; browser: Browser };

/**
 * `Extra`: what the file's own before hooks add to the context. This hook is serial, so ava starts
 * those (concurrent) hooks only once the server and browser are up.
 */
export function oidcSuite<Extra extends object = object>(
  options?: OidcServerOptions,
): TestFn<OidcSuiteContext & Extra> {
  const test = anyTest as TestFn<OidcSuiteContext & Extra>;
  test.serial.before(async (t) => {
    t.context.server = await startOidcServer(options);
    t.context.browser = await launchChromium();
  });
  test.after.always(async (t) => {
    await t.context.browser?.close();
    await t.context.server?.close();
  });
  return test;
}

/** The printed authorization URL: "open this URL in your browser", then the URL on its own line. */
export const BROWSER_URL = /open this URL in your browser[^\n]*\n\s+(\S+)\n/;

export interface CliHome {
  home: string;
  /** HOME and AUTHMACHINE_CONFIG_DIR, both in `home`. */
  env: { AUTHMACHINE_CONFIG_DIR: string; HOME: string };
  tokenFile: string;
}

/** A fresh HOME for one CLI user, removed when the test ends. */
export async function cliHome(t: ExecutionContext<unknown>, name: string): Promise<CliHome> {
  const home = await mkdtemp(join(tmpdir(), `authmachine-${name}-`));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  return {
    home,
    env: { AUTHMACHINE_CONFIG_DIR: join(home, 'config'), HOME: home },
    tokenFile: join(home, 'tokens.json'),
  };
}

/**
 * `login --issuer <issuer> --client-id CLIENT_ID --resource <resource> --store file --token-file F
 * --no-browser ...extra` (`--device` instead of `--no-browser` with `device`); the resource is the
 * provider's own /api/me unless given.
 */
export function oidcLoginArgv(
  server: OidcServer,
  tokenFile: string,
  options: { resource?: string; device?: boolean; extra?: string[] } = {},
): string[] {
  return [
    'login',
    '--issuer',
    server.issuer,
    '--client-id',
    CLIENT_ID,
    '--resource',
    options.resource ?? server.issuer,
    '--store',
    'file',
    '--token-file',
    tokenFile,
    options.device ? '--device' : '--no-browser',
    ...(options.extra ?? []),
  ];
}

/**
 * The person at the printed URL in a fresh Chromium context (closed when the test ends): signs in
 * as `user` and consents until the browser leaves the provider for the loopback redirect. Returns
 * the page, on the redirect's answer. `ignoreHTTPSErrors`: the browser accepts a test CA's
 * certificate (only the CLI's trust is under test).
 */
export async function approveInChromium(
  t: ExecutionContext<unknown>,
  browser: Browser,
  server: OidcServer,
  url: string,
  user: string,
  options: { ignoreHTTPSErrors?: boolean } = {},
): Promise<Page> {
  const context = await isolatedContext(browser, options);
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(url);
  await signInAndConsent(page, user, async () => !page.url().startsWith(server.issuer));
  await page.waitForLoadState('domcontentloaded');
  return page;
}

/**
 * Runs `argv` (a `login` with --no-browser) in-process and approves it in Chromium as `user`; its
 * result and the final page. `server`: the provider it logs in to, when not the suite's.
 */
export async function loginInChromium(
  t: ExecutionContext<OidcSuiteContext>,
  argv: string[],
  env: NodeJS.ProcessEnv,
  user: string,
  options: { server?: OidcServer; ignoreHTTPSErrors?: boolean } = {},
) {
  const { server = t.context.server, ...contextOptions } = options;
  const login = runCli(argv, env);
  const [, url] = await login.stderrMatch(BROWSER_URL);
  const page = await approveInChromium(t, t.context.browser, server, url!, user, contextOptions);
  return { result: await login.result, page, url: url! };
}
