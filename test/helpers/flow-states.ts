/**
 * The leaf states a whole flow passes through, as the inspector names them: LOGIN (with a look in
 * the store and the account's login lock), the person approving, the exchange, one fetch, LOGOUT. Tests that watch a flow from
 * outside compare what they saw with these.
 */
export const LOGIN_STATES = [
  'auth.idle',
  'auth.checkingStore.reading',
  'auth.checkingStore.waitingForLogin',
  'auth.signingIn.preparing',
  'auth.signingIn.requestingToken.attempt',
  'auth.signingIn.awaitingUser.waitingForRedirect',
  'auth.exchanging.attempt',
  'auth.authorized.saving.acquiringLock',
  'auth.authorized.saving.writing',
  'auth.authorized.ready',
] as const;

export const FLOW_STATES = [
  ...LOGIN_STATES,
  'auth.fetching.requesting.attempt',
  'auth.authorized.ready',
  'auth.authorized.loggingOut.attempt',
  'auth.idle',
] as const;

/** A forced login (LOGIN { force: true }, as the demo does) skips the store, not the login lock. */
export const FORCED_FLOW_STATES = FLOW_STATES.filter((state) => state !== 'auth.checkingStore.reading');
