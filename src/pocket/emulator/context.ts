/** What every route handler of one emulator shares. */
import type { Clock } from '../../../adapters/contracts.js';
import type { RateLimiter } from './rate-limit.js';
import type { EmulatorStore } from './store.js';

/**
 * How the person's decision on the authorize page is made: `page` waits for a click on Approve or
 * Decline; `auto-approve` / `auto-decline` decide as soon as the page is requested and redirect.
 */
export type ApprovalMode = 'page' | 'auto-approve' | 'auto-decline';

export interface EmulatorContext {
  readonly store: EmulatorStore;
  readonly clock: Clock;
  readonly limiter: RateLimiter;
  readonly approval: ApprovalMode;
  /** The signed-in person whose account an approval grants. */
  readonly username: string;
  /** Most items one /v3/get answer holds, whatever `count` asks for. */
  readonly pageCap: number;
}

/** The clock's time in unix seconds. */
export function nowSeconds(context: EmulatorContext): number {
  return Math.floor(context.clock.now() / 1000);
}
