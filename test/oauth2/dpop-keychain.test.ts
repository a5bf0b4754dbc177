/**
 * A DPoP login (RFC 9449) kept in the real system keychain (keytar on gnome-keyring; run under
 * scripts/test.sh): the private key is stored in the login's one keychain entry beside the tokens,
 * signs the proofs, is replaced by a forced new login and is gone from the keychain after logout.
 * The authorization server is the imitation the fault matrix uses (DPoP-issuing, ES256).
 */
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { decodeProtectedHeader } from 'jose';
import keytar from 'keytar';
import { AxiosHttpClient } from '../../adapters/http-axios.js';
import { KeytarTokenStore } from '../../adapters/keytar-store.js';
import { LoopbackReceiver } from '../../adapters/loopback-receiver.js';
import { createAuthFlow } from '../../src/flow/auth-flow.js';
import { createOAuth2Protocol } from '../../src/oauth2/index.js';
import { dpopThumbprint } from '../../src/oauth2/dpop.js';
import { startFaultServer } from '../hardening/helpers/fault-server.js';
import { authorizationServer, classify } from '../hardening/helpers/oauth-server.js';
import { fetchingBrowser } from '../helpers/fetching-browser.js';

interface Entry {
  token: { tokenType: string; dpopKey: { alg: string; privateJwk: Record<string, string> } };
}

test('the DPoP key lives in the keychain entry, is replaced by a new login and deleted at logout', async (t) => {
  const server = await startFaultServer({
    classify,
    serve: authorizationServer({ resource401Once: false, dpop: {} }),
  });
  t.teardown(() => server.close());
  const service = `authmachine-test-dpop-${randomUUID()}`;
  const store = new KeytarTokenStore({ service });
  const protocol = createOAuth2Protocol({ issuer: server.origin, clientId: 'dpop-keychain', scope: 'read' });
  t.teardown(async () => {
    for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
  });
  const flow = createAuthFlow({
    protocol,
    http: new AxiosHttpClient(),
    receiver: new LoopbackReceiver(),
    browser: fetchingBrowser,
    store,
  });
  t.teardown(() => flow.stop());
  const entry = async () => {
    const raw = await store.get(protocol.storageKey);
    return raw === null ? null : (JSON.parse(raw) as Entry);
  };
  const lastProofTo = (endpoint: string) => {
    const request = server.seen.filter((r) => classify(r) === endpoint).at(-1)!;
    return request.headers['dpop'] as string;
  };

  await flow.login();
  const first = (await entry())!;
  t.is(first.token.tokenType, 'DPoP');
  t.is(first.token.dpopKey.alg, 'ES256');
  t.is(typeof first.token.dpopKey.privateJwk['d'], 'string');
  t.deepEqual(
    (await keytar.findCredentials(service)).map((c) => c.account),
    [protocol.storageKey],
    'one keychain entry holds the tokens and the key',
  );
  // The proofs are signed with the stored key: the PAR's dpop_jkt and the resource proof's jwk are its.
  const par = server.seen.filter((r) => classify(r) === 'par').at(-1)!;
  t.is(par.fields['dpop_jkt'], await dpopThumbprint(first.token.dpopKey as never));
  t.is((await flow.fetch({ url: `${server.origin}/resource` })).status, 200);
  t.is((decodeProtectedHeader(lastProofTo('resource')).jwk as { x: string }).x, first.token.dpopKey.privateJwk['x']);

  await flow.login({ force: true });
  const second = (await entry())!;
  t.is(second.token.tokenType, 'DPoP');
  t.not(second.token.dpopKey.privateJwk['d'], first.token.dpopKey.privateJwk['d'], 'a new key at a new login');
  t.not(second.token.dpopKey.privateJwk['x'], first.token.dpopKey.privateJwk['x']);
  t.is((decodeProtectedHeader(lastProofTo('token')).jwk as { x: string }).x, second.token.dpopKey.privateJwk['x']);
  const all = (await keytar.findCredentials(service)).map((c) => c.password).join('\n');
  t.false(all.includes(first.token.dpopKey.privateJwk['d']!), 'the old key is nowhere in the keychain');

  await flow.logout();
  t.is(await entry(), null);
  t.deepEqual(await keytar.findCredentials(service), [], 'logout left nothing of the login in the keychain');
});
