/**
 * namingLogin, the CLI's one place that turns a stored login's failure into what a person reads:
 * every "log in again" error of the flow and the protocols ends with the profile's own login
 * command; every other error is left as it is.
 */
import test from 'ava';
import { AuthError } from '../../adapters/errors.js';
import { namingLogin } from '../../src/cli/storage/login-needed.js';

const REFUSALS = [
  'The stored login is no longer valid and was removed. Log in again.',
  'The stored login was removed meanwhile (a logout, or another process found it dead). Log in again.',
  'The refresh token is no longer valid: a new login is needed.',
  'There is no refresh token: a new login is needed.',
  'The login expired. Log in again.',
  'Pocket needs a valid access token for this call. Log in again.',
  'The stored access token belongs to a different consumer key. Log in again with this key.',
  'The resource server rejected the access token (HTTP 401).',
];

test('ERR_TOKEN_INVALID ends with the exact login command; code, status and provider code are kept', (t) => {
  for (const [name, command] of [
    ['work', 'authmachine login --profile work'],
    ['default', 'authmachine login'],
  ] as const) {
    for (const message of REFUSALS) {
      const original = new AuthError('ERR_TOKEN_INVALID', message, { status: 400, providerCode: 'invalid_grant' });
      const named = namingLogin(original, name) as AuthError;
      t.is(named.code, 'ERR_TOKEN_INVALID');
      t.true(named.message.endsWith(` To log in again, run \`${command}\`.`), named.message);
      t.false(/Log in again\. To log in again/.test(named.message), named.message);
      t.is(named.status, 400);
      t.is(named.providerCode, 'invalid_grant');
      t.is(named.cause, original);
      t.is(namingLogin(named, name), named, 'named once only');
    }
  }
});

test("the flow's own ERR_NOT_LOGGED_IN becomes the rule's message; other errors pass unchanged", (t) => {
  for (const message of [
    'No usable login is stored, and none was completed meanwhile. Log in.',
    'Not logged in. Run the login first.',
  ]) {
    const named = namingLogin(new AuthError('ERR_NOT_LOGGED_IN', message), 'work') as AuthError;
    t.is(named.code, 'ERR_NOT_LOGGED_IN');
    t.is(named.message, 'The login (profile work) has expired or ended. Run `authmachine login --profile work`.');
  }
  const network = new AuthError('ERR_NETWORK', 'Could not connect.');
  t.is(namingLogin(network, 'work'), network);
  const plain = new Error('EPIPE');
  t.is(namingLogin(plain, 'work'), plain);
});
