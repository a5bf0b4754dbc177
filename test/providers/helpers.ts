/**
 * What the preset tests share: a fresh HOME per login, the CLI run in-process, and a person in
 * Chromium who approves on the imitation's page (or types the device code on "another device").
 * Chromium only visits loopback.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { isolatedContext } from '../helpers/oidc-browser.js';

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
