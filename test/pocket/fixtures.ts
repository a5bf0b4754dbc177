/** Shared secrets and contexts for the Pocket tests. The secrets are shaped like real ones. */
import { ManualClock, seededRandom } from '../../adapters/system-clock.js';
import type { HttpClient } from '../../adapters/contracts.js';
import type { ProtocolContext } from '../../src/protocol.js';

export const CONSUMER_KEY = '12345-0123456789abcdef01234567';
export const REQUEST_TOKEN = 'dcba4321-dcba-4321-dcba-4321dc';
export const ACCESS_TOKEN = '5678defg-5678-defg-5678-defg56';
export const SECRETS = [CONSUMER_KEY, REQUEST_TOKEN, ACCESS_TOKEN];
export const BASE_URL = 'http://127.0.0.1:4321';

export function protocolContext(http: HttpClient, signal = new AbortController().signal): ProtocolContext {
  return { http, random: seededRandom(7), clock: new ManualClock(1_700_000_000_000), signal };
}

/** Everything a person or a log could see of an error. */
export function visibleText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const json = 'toJSON' in error && typeof error.toJSON === 'function' ? JSON.stringify(error.toJSON()) : '';
  return `${error.message}\n${error.stack ?? ''}\n${json}\n${String(error)}`;
}

export function containsSecret(error: unknown): boolean {
  const text = visibleText(error);
  return SECRETS.some((secret) => text.includes(secret));
}
