/**
 * Pocket's rate limits: calls per hour per user (of one app) and per consumer key, in fixed
 * windows that start with the first call. Every data answer carries the X-Limit-* headers.
 */
import type { Clock } from '../../../adapters/contracts.js';

/** The emulator's rate limits (Pocket's documented defaults). */
export interface RateLimitOptions {
  /** Calls per window per user of one consumer key. Default 320. */
  userLimit?: number;
  /** Calls per window per consumer key. Default 10,000. */
  keyLimit?: number;
  /** Window length in seconds. Default 3600. */
  windowSeconds?: number;
}

interface Window {
  start: number;
  used: number;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimiter {
  private readonly userLimit: number;
  private readonly keyLimit: number;
  private readonly windowMs: number;
  private readonly windows = new Map<string, Window>();

  constructor(
    options: RateLimitOptions,
    private readonly clock: Clock,
  ) {
    this.userLimit = options.userLimit ?? 320;
    this.keyLimit = options.keyLimit ?? 10_000;
    this.windowMs = (options.windowSeconds ?? 3600) * 1000;
  }

  /** Counts one call and says whether it is within both limits. */
  hit(consumerKey: string, username: string): RateDecision {
    const now = this.clock.now();
    const user = this.count(`user\u0000${consumerKey}\u0000${username}`, now);
    const key = this.count(`key\u0000${consumerKey}`, now);
    const seconds = (window: Window) => String(Math.max(0, Math.ceil((window.start + this.windowMs - now) / 1000)));
    return {
      allowed: user.used <= this.userLimit && key.used <= this.keyLimit,
      headers: {
        'X-Limit-User-Limit': String(this.userLimit),
        'X-Limit-User-Remaining': String(Math.max(0, this.userLimit - user.used)),
        'X-Limit-User-Reset': seconds(user),
        'X-Limit-Key-Limit': String(this.keyLimit),
        'X-Limit-Key-Remaining': String(Math.max(0, this.keyLimit - key.used)),
        'X-Limit-Key-Reset': seconds(key),
      },
    };
  }

  private count(id: string, now: number): Window {
    let window = this.windows.get(id);
    if (!window || now >= window.start + this.windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(id, window);
    }
    window.used++;
    return window;
  }
}
