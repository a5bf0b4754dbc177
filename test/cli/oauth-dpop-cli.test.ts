/**
 * The CLI with DPoP (RFC 9449) against the real oidc-provider, which requires it for the client
 * and demands nonces, and a loopback resource server that checks every proof: `login` keeps the
 * key beside the tokens, `call` proves possession (answering the resource server's nonce
 * challenge) and refreshes with a proof, a token copied out of the store is useless without the
 * key, `login --force` makes a new key, and `logout` deletes it. Nothing secret is printed.
 */
import { readFile } from 'node:fs/promises';
import { runCli } from '../helpers/cli-run.js';
import { startDpopResourceServer, type DpopResourceServer } from '../helpers/dpop-resource.js';
import { CLIENT_ID, RESOURCE_SERVER_CLIENT } from '../helpers/oidc-server.js';
import { cliHome, loginInChromium, oidcLoginArgv, oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite<{ rs: DpopResourceServer }>({ dpop: { required: true, nonce: true } });

test.before(async (t) => {
  t.context.rs = await startDpopResourceServer({
    introspectionEndpoint: t.context.server.introspectionEndpoint,
    ...RESOURCE_SERVER_CLIENT,
    requireNonce: true,
  });
});
test.after.always(async (t) => {
  await t.context.rs?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StoredToken {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresAt?: number;
  tokenType?: string;
  dpopKey?: { alg: string; privateJwk: Record<string, string> };
}

test('login, call with a refresh, a copied token refused, a new key at login --force, the key deleted at logout', async (t) => {
  const { server, rs } = t.context;
  const { env, tokenFile } = await cliHome(t, 'dpop-user');
  const entryKey = `oauth2:${server.issuer}#${CLIENT_ID}#profile=default`;
  const stored = async (): Promise<StoredToken | undefined> => {
    const entry = JSON.parse(await readFile(tokenFile, 'utf8'))[entryKey] as string | undefined;
    return entry === undefined ? undefined : (JSON.parse(entry) as { token: StoredToken }).token;
  };
  const outputs: string[] = [];
  const run = async (argv: string[]) => {
    const result = await runCli(argv, env).result;
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const login = async (extra: string[]) => {
    const { result } = await loginInChromium(
      t,
      oidcLoginArgv(server, tokenFile, { resource: rs.origin, extra }),
      env,
      'dpop-cli-user',
    );
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  // A 1 s access token, so the second `call` has to refresh it (with a proof).
  server.setAccessTokenTtl('dpop-cli-user', 1);
  const first = await login([]);
  t.is(first.code, 0, first.stderr);
  const token = (await stored())!;
  t.is(token.tokenType, 'DPoP', 'the stored token keeps its type');
  t.is(token.dpopKey?.alg, 'ES256');
  t.is(typeof token.dpopKey?.privateJwk['d'], 'string', 'the private key is kept with the tokens');

  server.setAccessTokenTtl('dpop-cli-user', 600);
  await sleep(Math.max(0, token.expiresAt! + 1100 - Date.now()));
  const me = await run(['call', '/api/me']);
  t.is(me.code, 0, me.stderr);
  t.is(JSON.parse(me.stdout).sub, 'dpop-cli-user');
  const refreshed = (await stored())!;
  t.not(refreshed.accessToken, token.accessToken, 'the expired token was refreshed and saved');
  t.deepEqual(refreshed.dpopKey, token.dpopKey, 'the refresh kept the key');
  t.is(refreshed.tokenType, 'DPoP');
  // Two requests: the first is refused (the expired token, or no nonce yet: either 401 brings the
  // resource server's nonce), the second carries the fresh token and the nonce.
  t.is(rs.verdicts.length, 2);
  t.is(rs.verdicts[1]!.reason, 'dpop');
  // A new process knows no nonce yet: challenged once, answered once.
  t.is((await run(['call', '/api/me'])).code, 0);
  t.deepEqual(
    rs.verdicts.slice(2).map((v) => v.reason),
    ['nonce missing or stale', 'dpop'],
  );

  // The access token alone, as someone who copied it would use it: refused every way.
  const url = `${rs.origin}/api/me`;
  t.is((await fetch(url, { headers: { authorization: `Bearer ${refreshed.accessToken}` } })).status, 401);
  t.is((await fetch(url, { headers: { authorization: `DPoP ${refreshed.accessToken}` } })).status, 401);

  // A new login makes a new key; the old one is gone from the store.
  const again = await login(['--force']);
  t.is(again.code, 0, again.stderr);
  const relogged = (await stored())!;
  t.is(relogged.tokenType, 'DPoP');
  t.notDeepEqual(relogged.dpopKey, token.dpopKey, 'a new key at each new login');
  t.is((await run(['call', '/api/me'])).code, 0);

  const logout = await run(['logout']);
  t.is(logout.code, 0, logout.stderr);
  t.is(await stored(), undefined, 'logout deleted the tokens and the key');

  const printed = outputs.join('\n');
  for (const secret of [token, refreshed, relogged].flatMap((s) => [
    s.accessToken,
    s.refreshToken,
    s.dpopKey!.privateJwk['d']!,
  ])) {
    if (secret) t.false(printed.includes(secret), 'a secret was printed');
  }
});
