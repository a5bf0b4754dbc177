import { AuthError, type AuthErrorCode } from '../../adapters/errors.js';

/**
 * Races a call that has no timeout of its own (a keychain, say) against a deadline, so a hung
 * dependency is reported instead of stalling the flow.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, code: AuthErrorCode, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AuthError(code, message)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
