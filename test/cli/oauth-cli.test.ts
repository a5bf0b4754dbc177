/**
 * The CLI against a real OpenID provider, in-process through main(argv, io): `login --issuer`
 * with Chromium following the URL the CLI printed, then `status`, `call` (including a refresh of
 * an expired token), `logout` (revoked at the provider), and what happens when not logged in.
 * No token ever shows up in what the CLI prints.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-run.js';
import { CLIENT_ID } from '../helpers/oidc-server.js';
import { cliHome, loginInChromium, oidcLoginArgv, oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every secret the token file has held. */
async function secretsIn(tokenFile: string): Promise<string[]> {
  const entries = JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, string>;
  return Object.values(entries).flatMap((secret) => {
    const { token } = JSON.parse(secret) as { token: Record<string, unknown> };
    return [token['accessToken'], token['refreshToken'], token['idToken']].filter(
      (s): s is string => typeof s === 'string',
    );
  });
}

test('without a login: status and call exit 3; --issuer without --client-id is a usage error', async (t) => {
  const { env } = await cliHome(t, 'nobody');
  const status = await runCli(['status'], env).result;
  t.is(status.code, 3);
  const call = await runCli(['call', '/api/me'], env).result;
  t.is(call.code, 3);
  t.regex(call.stderr, /ERR_NOT_LOGGED_IN/);
  t.is(call.stdout, '');
  const usage = await runCli(['login', '--issuer', t.context.server.issuer], env).result;
  t.is(usage.code, 2);
  t.regex(usage.stderr, /--client-id/);
});

test('login --issuer (Chromium follows the printed URL), status, call with a refresh, logout revokes', async (t) => {
  const { server } = t.context;
  const { env, tokenFile } = await cliHome(t, 'cli-user');
  const outputs: string[] = [];
  const run = async (argv: string[]) => {
    const result = await runCli(argv, env).result;
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  // A 1 s access token, so the `call` below has to refresh it.
  server.setAccessTokenTtl('cli-user', 1);
  const { result: loggedIn, page } = await loginInChromium(t, oidcLoginArgv(server, tokenFile), env, 'cli-user');
  outputs.push(loggedIn.stdout, loggedIn.stderr);
  t.is(loggedIn.code, 0, loggedIn.stderr);
  t.is(loggedIn.stdout, `Logged in to ${server.issuer} as cli-user. Token kept in ${tokenFile}.\n`);
  t.regex(loggedIn.stderr, /Waiting for you to approve access/);
  t.regex(page.url(), /^http:\/\/127\.0\.0\.1:\d+\/callback\?/, "the browser ended on the CLI's loopback listener");
  t.is(await page.title(), 'Login complete');
  const profile = JSON.parse(await readFile(join(env.AUTHMACHINE_CONFIG_DIR, 'profiles', 'default.json'), 'utf8'));
  t.deepEqual(profile, {
    provider: 'oauth2',
    issuer: server.issuer,
    clientId: CLIENT_ID,
    resource: server.issuer,
    store: 'file',
    tokenFile,
  });
  const firstSecrets = await secretsIn(tokenFile);
  t.is(firstSecrets.length, 3, 'access, refresh and ID token saved');

  const status = await run(['status']);
  t.is(status.code, 0);
  t.regex(status.stdout, new RegExp(`^Logged in to ${server.issuer} \\(client ${CLIENT_ID}\\) as cli-user\\.`));

  // Past the 1 s expiry: `call` gets a 401, the machine refreshes once, saves, repeats.
  server.setAccessTokenTtl('cli-user', 600);
  const expiresAt = JSON.parse(
    JSON.parse(await readFile(tokenFile, 'utf8'))[`oauth2:${server.issuer}#${CLIENT_ID}#profile=default`],
  ).token.expiresAt as number;
  await sleep(Math.max(0, expiresAt + 1100 - Date.now()));
  const me = await run(['call', '/api/me']);
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).sub, 'cli-user');
  const rotated = await secretsIn(tokenFile);
  t.not(rotated[0], firstSecrets[0], 'the refreshed token was saved');

  const included = await run(['call', `${server.issuer}/api/me`, '--include']);
  t.is(included.code, 0);
  t.regex(included.stdout, /^HTTP 200\r\n(?:[a-z-]+: .*\r\n)*content-type: application\/json\r\n/);
  t.regex(included.stdout, /\r\n\r\n\{"sub":"cli-user"/);

  const missing = await run(['call', '/no-such-thing']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/no-such-thing answered HTTP 404/);

  const elsewhere = await run(['call', 'https://example.com/steal']);
  t.is(elsewhere.code, 2, 'the token is never sent to another origin');

  const logout = await run(['logout']);
  t.is(logout.code, 0, logout.stderr);
  t.is(logout.stdout, `Logged out of ${server.issuer} (revoked at the provider, and deleted from ${tokenFile}).\n`);
  const revoked = await fetch(server.resourceUrl, { headers: { authorization: `Bearer ${rotated[0]}` } });
  t.is(revoked.status, 401, 'the provider no longer accepts the token');
  t.deepEqual(JSON.parse(await readFile(tokenFile, 'utf8')), {});

  t.is((await run(['status'])).code, 3);
  t.is((await run(['call', '/api/me'])).code, 3);

  const printed = outputs.join('\n');
  for (const secret of [...firstSecrets, ...rotated]) t.false(printed.includes(secret), 'a token was printed');
});
