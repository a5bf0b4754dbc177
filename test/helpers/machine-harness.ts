/**
 * Runs the production statechart with every actor under the test's control: each invocation is
 * a pending promise the test settles, the receiver is a callback actor that records whether it
 * is open, and time is a SimulatedClock. Nothing waits for real time.
 */
import { createActor, fromCallback, fromPromise, SimulatedClock, type InspectionEvent } from 'xstate';
import { authMachine } from '../../machines/auth-machine.js';
import type { AuthInput, ExpectEvent, LockCommand } from '../../machines/types.js';

export const PROMISE_ACTORS = [
  'loadToken',
  'startAuthorization',
  'openBrowser',
  'pollDevice',
  'exchangeCode',
  'saveToken',
  'fetchResource',
  'refreshToken',
  'clearToken',
  'logout',
  'rereadToken',
  'saveRenewedToken',
] as const;
export type PromiseActorName = (typeof PROMISE_ACTORS)[number];

export interface Invocation {
  src: PromiseActorName;
  input: unknown;
  signal: AbortSignal;
  settled: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class ActorController {
  readonly invocations: Invocation[] = [];
  receiverOpen = false;
  receiverStarts = 0;
  /** The lock actor: asked for the lock and not released, and what it was told. */
  lockWanted = false;
  lockActorAlive = false;
  lockCommands: LockCommand['type'][] = [];
  /** The login-lock actor: asked for and not released, and what it was told. */
  loginLockWanted = false;
  loginLockCommands: LockCommand['type'][] = [];
  /** 'auto': the login lock is granted as soon as it is asked for (no other process logs in). */
  constructor(readonly loginLock: 'auto' | 'manual' = 'auto') {}
  expected: ExpectEvent[] = [];

  pending(src: PromiseActorName): Invocation {
    const found = [...this.invocations].reverse().find((i) => i.src === src && !i.settled && !i.signal.aborted);
    if (!found) throw new Error(`no pending ${src} invocation`);
    return found;
  }

  has(src: PromiseActorName): boolean {
    return this.invocations.some((i) => i.src === src && !i.settled && !i.signal.aborted);
  }

  calls(src: PromiseActorName): Invocation[] {
    return this.invocations.filter((i) => i.src === src);
  }

  /** Invocations still running: neither settled nor aborted. */
  live(): Invocation[] {
    return this.invocations.filter((i) => !i.settled && !i.signal.aborted);
  }

  actors() {
    const promiseActor = (src: PromiseActorName) =>
      fromPromise<unknown, unknown>(
        ({ input, signal }) =>
          new Promise((resolve, reject) => {
            const invocation: Invocation = {
              src,
              input,
              signal,
              settled: false,
              resolve: (value) => ((invocation.settled = true), resolve(value)),
              reject: (error) => ((invocation.settled = true), reject(error)),
            };
            this.invocations.push(invocation);
          }),
      );
    const entries = PROMISE_ACTORS.map((src) => [src, promiseActor(src)] as const);
    return {
      ...Object.fromEntries(entries),
      // The test grants the lock by sending LOCK_ACQUIRED (or LOCK_FAILED) itself.
      holdLock: fromCallback<LockCommand>(({ receive }) => {
        this.lockActorAlive = true;
        receive((command) => {
          this.lockCommands.push(command.type);
          this.lockWanted = command.type === 'ACQUIRE';
        });
        return () => {
          this.lockActorAlive = false;
          this.lockWanted = false;
        };
      }),
      // 'manual': the test answers with LOGIN_LOCK_BUSY / _ACQUIRED / _FAILED itself.
      holdLoginLock: fromCallback<LockCommand>(({ receive, sendBack }) => {
        receive((command) => {
          this.loginLockCommands.push(command.type);
          this.loginLockWanted = command.type === 'ACQUIRE';
          if (command.type === 'ACQUIRE' && this.loginLock === 'auto') sendBack({ type: 'LOGIN_LOCK_ACQUIRED' });
        });
        return () => {
          this.loginLockWanted = false;
        };
      }),
      receiveRedirect: fromCallback<ExpectEvent>(({ receive }) => {
        this.receiverOpen = true;
        this.receiverStarts++;
        receive((event) => this.expected.push(event));
        return () => {
          this.receiverOpen = false;
        };
      }),
    };
  }
}

/** Lets settled promises reach the actor. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export const FAST_CONFIG = {
  maxAttempts: 3,
  backoffBaseMs: 100,
  backoffMaxMs: 1_000,
  maxRetryAfterMs: 5_000,
  userTimeoutMs: 60_000,
} as const;

export function startHarness(input: AuthInput = { config: FAST_CONFIG }, loginLock: 'auto' | 'manual' = 'auto') {
  const controller = new ActorController(loginLock);
  const clock = new SimulatedClock();
  const inspected: InspectionEvent[] = [];
  const actor = createActor(authMachine.provide({ actors: controller.actors() as never }), {
    input,
    clock,
    inspect: (event) => inspected.push(event),
  });
  actor.start();
  return { actor, clock, controller, inspected };
}

export const TOKEN = { accessToken: 'at-secret-1', username: 'demo' };
export const TOKEN_WITH_REFRESH = { accessToken: 'at-secret-2', refreshToken: 'rt-secret-2', expiresAt: 10_000 };
/** A clock reading (epoch ms) at which TOKEN_WITH_REFRESH is expired. */
export const LATER = 1_000_000;
export const REFRESHED_TOKEN = { accessToken: 'at-secret-3', refreshToken: 'rt-secret-3', expiresAt: 20_000 };
export const START = {
  session: { state: 'state-1', requestToken: 'rq-secret' },
  authorizationUrl: 'https://provider.test/authorize?state=state-1',
};
export const START_MANUAL = {
  session: { state: null, requestToken: 'rq-secret' },
  authorizationUrl: 'https://provider.test/authorize',
};
export const START_DEVICE = {
  session: { state: null, deviceCode: 'dc-secret' },
  authorizationUrl: 'https://provider.test/device',
  userCode: 'ABCD-EFGH',
  pollIntervalMs: 5_000,
  expiresInMs: 30_000,
};
export const REDIRECT_URI = 'http://127.0.0.1:49152/callback';

export const errors = {
  network: { code: 'ERR_NETWORK', message: 'Could not reach the server.', retryable: true },
  declined: { code: 'ERR_DECLINED', message: 'Access was declined.', retryable: false },
  tokenInvalid: { code: 'ERR_TOKEN_INVALID', message: 'The token is no longer valid.', retryable: false },
  storage: { code: 'ERR_STORAGE', message: 'The keychain failed.', retryable: false },
  rateLimitedLong: { code: 'ERR_RATE_LIMITED', message: 'Slow down.', retryable: true, retryAfterMs: 3_600_000 },
} as const;
