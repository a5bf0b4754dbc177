/**
 * `login --provider microsoft` against an imitation of Microsoft Entra ID that follows the
 * identity platform v2.0 documentation: the multi-tenant discovery whose issuer holds the literal
 * {tenantid} (accepted only there), ID tokens checked against their own tid, offline_access for
 * refresh tokens that rotate, the device code flow, and logout without a revocation endpoint.
 */
import { rm } from 'node:fs/promises';
import { testWithSharedChromium } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli-run.js';
import {
  approveInBrowser,
  BROWSER_URL,
  DEVICE_PROMPT,
  enterDeviceCode,
  newHome,
  storedEntries,
  storedToken,
} from './helpers.js';
import { MICROSOFT_CLIENT_ID, startMicrosoft } from './imitation/microsoft.js';

const test = testWithSharedChromium();

for (const tenant of ['common', 'organizations'] as const) {
  test(`browser login through the ${tenant} tenant, call refreshes, logout deletes the token`, async (t) => {
    const entra = await startMicrosoft({ tenant });
    const { home, env, tokenFile } = await newHome(`entra-${tenant}`);
    t.teardown(async () => {
      await entra.close();
      await rm(home, { recursive: true, force: true });
    });
    const login = runCli(
      [
        'login',
        '--provider',
        'microsoft',
        '--tenant',
        tenant,
        '--base-url',
        entra.origin,
        '--client-id',
        MICROSOFT_CLIENT_ID,
        '--no-browser',
        '--store',
        'file',
        '--token-file',
        tokenFile,
      ],
      env,
    );
    const [, url] = await login.stderrMatch(BROWSER_URL);
    const authorize = new URL(url!);
    t.is(authorize.pathname, `/${tenant}/oauth2/v2.0/authorize`);
    t.is(authorize.searchParams.get('scope'), 'openid profile offline_access User.Read');
    t.false(authorize.searchParams.has('prompt'), 'no forced consent screen');
    t.is(await approveInBrowser(t.context.browser, url!), 'Login complete');
    const done = await login.result;
    t.is(done.code, 0, done.stderr);
    t.is(
      done.stdout,
      `Logged in to ${entra.origin}/${tenant}/v2.0 as adele@contoso.example. Token kept in ${tokenFile}.\n`,
    );
    const first = await storedToken(tokenFile);

    entra.expireAccessTokens();
    const me = await runCli(['call', '/v1.0/me'], env).result;
    t.is(me.code, 0, me.stderr);
    t.is(JSON.parse(me.stdout).login, 'adele@contoso.example');
    const second = await storedToken(tokenFile);
    t.not(second.refreshToken, first.refreshToken, 'Entra rotates refresh tokens');

    const logout = await runCli(['logout'], env).result;
    t.is(logout.code, 0, logout.stderr);
    t.is(await storedEntries(tokenFile), 0);
  });
}

for (const [what, options] of [
  ['iss names another tenant than its tid', { issuerTenant: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a' }],
  ['tid is not a tenant id', { userTenant: 'not-a-tenant-id' }],
] as const) {
  test(`an ID token whose ${what} is refused`, async (t) => {
    const entra = await startMicrosoft({ tenant: 'common', ...options });
    const { home, env, tokenFile } = await newHome('entra-bad-tid');
    t.teardown(async () => {
      await entra.close();
      await rm(home, { recursive: true, force: true });
    });
    const login = runCli(
      [
        'login',
        '--provider',
        'microsoft',
        '--base-url',
        entra.origin,
        '--client-id',
        MICROSOFT_CLIENT_ID,
        '--no-browser',
        '--store',
        'file',
        '--token-file',
        tokenFile,
      ],
      env,
    );
    const [, url] = await login.stderrMatch(BROWSER_URL);
    await approveInBrowser(t.context.browser, url!);
    const done = await login.result;
    t.not(done.code, 0);
    t.regex(done.stderr, /ERR_BAD_RESPONSE/);
  });
}

test('without the preset, a {tenantid} issuer in discovery is an issuer mismatch', async (t) => {
  const entra = await startMicrosoft({ tenant: 'common' });
  const { home, env, tokenFile } = await newHome('entra-generic');
  t.teardown(async () => {
    await entra.close();
    await rm(home, { recursive: true, force: true });
  });
  const done = await runCli(
    [
      'login',
      '--issuer',
      `${entra.origin}/common/v2.0`,
      '--client-id',
      MICROSOFT_CLIENT_ID,
      '--no-browser',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  ).result;
  t.not(done.code, 0);
  t.regex(done.stderr, /ERR_ISSUER_MISMATCH/);
});

test('device login through organizations; the code is entered elsewhere', async (t) => {
  const entra = await startMicrosoft({ tenant: 'organizations', deviceInterval: 1 });
  const { home, env, tokenFile } = await newHome('entra-device');
  t.teardown(async () => {
    await entra.close();
    await rm(home, { recursive: true, force: true });
  });
  const login = runCli(
    [
      'login',
      '--provider',
      'microsoft',
      '--tenant',
      'organizations',
      '--base-url',
      entra.origin,
      '--client-id',
      MICROSOFT_CLIENT_ID,
      '--device',
      '--store',
      'file',
      '--token-file',
      tokenFile,
    ],
    env,
  );
  const [, uri, code] = await login.stderrMatch(DEVICE_PROMPT);
  t.is(await enterDeviceCode(t.context.browser, uri!, code!), 'Device connected');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.regex(done.stdout, /as adele@contoso\.example/);
  const me = await runCli(['call', '/v1.0/me'], env).result;
  t.is(me.code, 0, me.stderr);
});
