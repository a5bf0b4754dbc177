/**
 * The lock keys of one login. Renewing and logging in use distinct keys: a renewal in another
 * process must not wait minutes for a person approving a new login. Order when both are held: the
 * login key first, then the renewal key (only while the new login is saved), so no cycle exists.
 */

/** The key that makes renewing the login single-flight: the store entry's own key. */
export function renewalLockKey(storageKey: string): string {
  return storageKey;
}

/** The key that makes interactive logins to one account one at a time. */
export function loginLockKey(storageKey: string): string {
  return `${storageKey}#login`;
}
