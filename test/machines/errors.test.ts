import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { toFlowError } from '../../machines/errors.js';

test('an AuthError thrown by an actor is kept as its plain JSON, the same type on both sides of the wall', (t) => {
  const error = new AuthError('ERR_RATE_LIMITED', 'Slow down.', {
    status: 429,
    providerCode: '152',
    retryAfterMs: 3_000,
  });
  t.deepEqual(toFlowError(error), error.toJSON());
  t.deepEqual(AuthError.fromData(toFlowError(error)).toJSON(), error.toJSON());
});

test('a look-alike with a code outside the vocabulary, or a foreign error, becomes ERR_UNEXPECTED without its message', (t) => {
  const unexpected = { code: 'ERR_UNEXPECTED', message: 'An unexpected internal error occurred.', retryable: false };
  t.deepEqual(toFlowError({ code: 'ERR_MADE_UP', message: 'token=abc', retryable: true }), unexpected);
  t.deepEqual(toFlowError(new Error('secret=abc')), unexpected);
  t.deepEqual(toFlowError(null), unexpected);
});
