/**
 * `login --provider microsoft` against an imitation of Microsoft Entra ID that follows the
 * identity platform v2.0 documentation: the multi-tenant discovery whose issuer holds the literal
 * {tenantid} (accepted only there), ID tokens checked against their own tid, offline_access for
 * refresh tokens that rotate, the device code flow, and logout without a revocation endpoint.
 */
import { testWithSharedChromium } from '../helpers/chromium.js';
import {
  approveInBrowser,
  enterDeviceCode,
  presetLogin,
  storedEntries,
  storedToken,
} from '../helpers/imitation-login.js';
import { MICROSOFT_CLIENT_ID, startMicrosoft } from './imitation/microsoft.js';

const test = testWithSharedChromium();
const MICROSOFT = { provider: 'microsoft', clientId: MICROSOFT_CLIENT_ID };

for (const tenant of ['common', 'organizations'] as const) {
  test(`browser login through the ${tenant} tenant, call refreshes, logout deletes the token`, async (t) => {
    const entra = await startMicrosoft({ tenant });
    const { tokenFile, browserLogin, run } = await presetLogin(t, entra, MICROSOFT);
    const { login, url } = await browserLogin(['--tenant', tenant]);
    const authorize = new URL(url);
    t.is(authorize.pathname, `/${tenant}/oauth2/v2.0/authorize`);
    t.is(authorize.searchParams.get('scope'), 'openid profile offline_access User.Read');
    t.false(authorize.searchParams.has('prompt'), 'no forced consent screen');
    t.is(await approveInBrowser(t.context.browser, url), 'Login complete');
    const done = await login.result;
    t.is(done.code, 0, done.stderr);
    t.is(
      done.stdout,
      `Logged in to ${entra.origin}/${tenant}/v2.0 as adele@contoso.example. Token kept in ${tokenFile}.\n`,
    );
    const first = await storedToken(tokenFile);

    entra.expireAccessTokens();
    const me = await run(['call', '/v1.0/me']);
    t.is(me.code, 0, me.stderr);
    t.is(JSON.parse(me.stdout).login, 'adele@contoso.example');
    const second = await storedToken(tokenFile);
    t.not(second.refreshToken, first.refreshToken, 'Entra rotates refresh tokens');

    const logout = await run(['logout']);
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
    const { login, url } = await (await presetLogin(t, entra, MICROSOFT)).browserLogin();
    await approveInBrowser(t.context.browser, url);
    const done = await login.result;
    t.not(done.code, 0);
    t.regex(done.stderr, /ERR_BAD_RESPONSE/);
  });
}

test('without the preset, a {tenantid} issuer in discovery is an issuer mismatch', async (t) => {
  const entra = await startMicrosoft({ tenant: 'common' });
  const { tokenFile, run } = await presetLogin(t, entra, MICROSOFT);
  const done = await run([
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
  ]);
  t.not(done.code, 0);
  t.regex(done.stderr, /ERR_ISSUER_MISMATCH/);
});

test('device login through organizations; the code is entered elsewhere', async (t) => {
  const entra = await startMicrosoft({ tenant: 'organizations', deviceInterval: 1 });
  const { deviceLogin, run } = await presetLogin(t, entra, MICROSOFT);
  const { login, uri, code } = await deviceLogin(['--tenant', 'organizations']);
  t.is(await enterDeviceCode(t.context.browser, uri, code), 'Device connected');
  const done = await login.result;
  t.is(done.code, 0, done.stderr);
  t.regex(done.stdout, /as adele@contoso\.example/);
  const me = await run(['call', '/v1.0/me']);
  t.is(me.code, 0, me.stderr);
});
