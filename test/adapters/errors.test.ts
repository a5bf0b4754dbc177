import test from 'ava';
import { AuthError, toAuthError } from '../../adapters/errors.js';

test('transient codes are retryable by default, permanent ones are not', (t) => {
  t.true(new AuthError('ERR_NETWORK', 'down').retryable);
  t.true(new AuthError('ERR_RATE_LIMITED', 'slow down').retryable);
  t.false(new AuthError('ERR_DECLINED', 'no').retryable);
  t.false(new AuthError('ERR_SERVER', 'x', { retryable: false }).retryable);
});

test('toJSON round-trips through fromData', (t) => {
  const error = new AuthError('ERR_INVALID_CLIENT', 'Invalid consumer key.', { status: 403, providerCode: '152' });
  const copy = AuthError.fromData(JSON.parse(JSON.stringify(error)));
  t.deepEqual(copy.toJSON(), error.toJSON());
  t.is(copy.code, 'ERR_INVALID_CLIENT');
});

test('toAuthError never copies a foreign message (it may hold a secret)', (t) => {
  const wrapped = toAuthError(new Error('token=SECRET123'));
  t.is(wrapped.code, 'ERR_UNEXPECTED');
  t.false(wrapped.message.includes('SECRET123'));
  const aborted = toAuthError(Object.assign(new Error('aborted'), { name: 'AbortError' }));
  t.is(aborted.code, 'ERR_CANCELLED');
});
