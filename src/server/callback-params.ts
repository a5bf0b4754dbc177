/**
 * What `complete` accepts as a callback, checked before the flow is taken: a forged or mangled
 * copy of a callback must not end the real login (taking the flow is what ends it).
 */
import { AuthError } from '../../adapters/errors.js';
import { isWellFormedText } from './user-key.js';

/** Longest `state` looked up (characters): the service's own are 43; a longer one is no key of ours. */
const MAX_STATE_LENGTH = 512;

/**
 * The callback's parameters, each once and as text, and its `state`.
 * @throws AuthError ERR_STATE_MISMATCH (no `state`, over 512 characters or ill-formed: a lone
 *   surrogate has no UTF-8 form), ERR_BAD_RESPONSE (a parameter sent twice, or not text).
 * @see RFC 6749 section 3.1 (parameters sent without a value or more than once), section 4.1.2
 */
export function checkedCallback(query: URLSearchParams | Record<string, string>): {
  params: Record<string, string>;
  state: string;
} {
  const params = query instanceof URLSearchParams ? paramsOf(query) : query;
  const state = (params as Partial<Record<string, unknown>> | null | undefined)?.state;
  if (typeof state !== 'string' || state === '' || !isCallbackState(state)) {
    throw new AuthError(
      'ERR_STATE_MISMATCH',
      'The callback carries no state this service gave out, so it belongs to no login. Start the login again.',
    );
  }
  // A parameter sent twice arrives as an array from most query parsers (and from paramsOf).
  for (const value of Object.values(params)) {
    if (typeof value !== 'string') {
      throw new AuthError(
        'ERR_BAD_RESPONSE',
        'The callback carries a parameter more than once, or not as text (RFC 6749 section 3.1); no login was resumed.',
      );
    }
  }
  return { params, state };
}

function isCallbackState(state: string): boolean {
  return state.length <= MAX_STATE_LENGTH && isWellFormedText(state);
}

/** A query as `complete` checks it: a parameter sent more than once becomes the array of its values. */
function paramsOf(query: URLSearchParams): Record<string, string> {
  const params: Record<string, string | string[]> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    params[name] = values.length === 1 ? (values[0] as string) : values;
  }
  return params as Record<string, string>;
}
