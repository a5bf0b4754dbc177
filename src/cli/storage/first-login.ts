/**
 * A profile's very first login. Until `login` has saved the profile, another process cannot know
 * the account's store key, so it cannot see the machine's login lock (flow/lock-keys.ts). So
 * `login` also holds a lock named after the profile while it runs, and `token --wait` waits on
 * that one, then reads the profile the login saved.
 */
import type { Lock, LockLease } from '../../../adapters/contracts.js';
import { AuthError, isAuthError } from '../../../adapters/errors.js';
import { cancelOnSignal } from '../login/run.js';
import { waitingText } from '../login/progress.js';
import type { CliIO } from '../output/io.js';

/** The lock a running `login --profile NAME` holds (file locks live in <config dir>/locks). */
export function profileLoginLockKey(profile: string): string {
  return `profile:${profile}#login`;
}

/**
 * Takes the profile's login lock for a `login` that is starting. Never waits: when another
 * `login` of the same profile holds it, returns null, and the machine's own login lock orders the
 * two logins (the second waits and reuses the first one's login).
 */
export async function holdProfileLogin(lock: Lock | null, profile: string): Promise<LockLease | null> {
  if (lock === null) return null;
  const busy = new AbortController();
  try {
    return await lock.acquire(profileLoginLockKey(profile), { signal: busy.signal, onWait: () => busy.abort() });
  } catch (error) {
    if (isAuthError(error, 'ERR_CANCELLED')) return null;
    throw error;
  }
}

/**
 * When another process is logging in to `profile` for the first time, waits up to `waitMs` (ms)
 * for that login to end, saying so on stderr. Returns false at once when none is in progress.
 *
 * @throws AuthError ERR_TIMEOUT when the wait ran out; ERR_CANCELLED on Ctrl-C; ERR_STORAGE.
 */
export async function awaitProfileLogin(
  lock: Lock | null,
  profile: string,
  io: CliIO,
  waitMs: number,
): Promise<boolean> {
  if (lock === null || waitMs <= 0) return false;
  const key = profileLoginLockKey(profile);
  const holder = await lock.holder?.(key);
  if (holder == null) return false;
  io.stderr.write(`${waitingText(holder)}\n`);
  const cancel = new AbortController();
  const stopSignals = cancelOnSignal(() => cancel.abort());
  const timer = setTimeout(() => cancel.abort('timeout'), waitMs);
  try {
    const lease = await lock.acquire(key, { signal: cancel.signal });
    await lease.release();
    return true;
  } catch (error) {
    if (cancel.signal.reason === 'timeout')
      throw new AuthError(
        'ERR_TIMEOUT',
        `Another authmachine process was still logging in (profile ${profile}) when the wait of ${Math.round(waitMs / 1000)} s ran out. Try again, or raise --wait.`,
      );
    throw error;
  } finally {
    clearTimeout(timer);
    stopSignals();
  }
}
