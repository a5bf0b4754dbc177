/**
 * `authmachine login` with no server named, on a profile an OAuth login saved, logs in again to
 * that server as it was saved (client, scope, resource, store, token file), against the real
 * oidc-provider: so "Run `authmachine login` again", which every expired-login message says, does
 * what it says instead of starting a Pocket login that asks for a consumer key. Options given win;
 * a profile with no saved login, or a server named on the command line, is unchanged.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-run.js';
import { CLIENT_ID } from '../helpers/oidc-server.js';
import { cliHome, loginInChromium, oidcLoginArgv, oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite();

test('login --force with nothing else logs in again to the saved OAuth server, keeping its settings', async (t) => {
  const { server } = t.context;
  const { env, tokenFile } = await cliHome(t, 'login-again');
  const first = await loginInChromium(
    t,
    oidcLoginArgv(server, tokenFile, { extra: ['--profile', 'work', '--scope', 'openid offline_access profile'] }),
    env,
    'again-user',
  );
  t.is(first.result.code, 0, first.result.stderr);
  const profileFile = join(env.AUTHMACHINE_CONFIG_DIR, 'profiles', 'work.json');
  const saved = await readFile(profileFile, 'utf8');
  const storedBefore = await readFile(tokenFile, 'utf8');

  const reused = await runCli(['login', '--profile', 'work'], env).result;
  t.is(reused.code, 0, `a usable login is reused, no browser: ${reused.stderr}`);
  t.notRegex(reused.stderr, /open this URL|consumer key/);

  const again = await loginInChromium(t, ['login', '--profile', 'work', '--force', '--no-browser'], env, 'again-user');
  t.is(again.result.code, 0, again.result.stderr);
  t.notRegex(again.result.stderr, /consumer key/);
  const url = new URL(again.url);
  t.is(url.origin, server.issuer, 'the saved issuer');
  t.is(url.searchParams.get('client_id'), CLIENT_ID);
  t.is(url.searchParams.get('scope'), 'openid offline_access profile', 'the saved scope');
  t.is(await readFile(profileFile, 'utf8'), saved, 'the profile is the same login');
  t.not(await readFile(tokenFile, 'utf8'), storedBefore, 'the new tokens went to the saved token file');
  const token = await runCli(['token', '--profile', 'work'], env).result;
  t.is(token.code, 0, token.stderr);

  const scoped = await loginInChromium(
    t,
    ['login', '--profile', 'work', '--force', '--no-browser', '--scope', 'openid offline_access'],
    env,
    'again-user',
  );
  t.is(scoped.result.code, 0, scoped.result.stderr);
  t.is(new URL(scoped.url).searchParams.get('scope'), 'openid offline_access', 'an option given wins');
});

test("with no saved OAuth login, login with no server named is still Pocket's", async (t) => {
  const { env } = await cliHome(t, 'login-again-none');
  const pocket = await runCli(['login', '--profile', 'nothing-saved', '--no-browser'], env).result;
  t.is(pocket.code, 2);
  t.regex(pocket.stderr, /Pocket needs your app's consumer key/);
});
