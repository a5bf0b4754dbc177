/**
 * A protected resource that checks access tokens the way RFC 9449 section 7 asks of a resource
 * server: a token bound to a key (`cnf.jkt`) is accepted only with `Authorization: DPoP` and one
 * proof that is a valid `dpop+jwt` signed by the key in its own `jwk` header, names this request's
 * method and URL (no query, no fragment), is recent, is not a replay, carries
 * `ath` = base64url(SHA-256(token)) and, when nonces are required, the current nonce; and whose
 * key's thumbprint is the token's `cnf.jkt`. Unbound tokens go with `Bearer` only.
 *
 * `startDpopResourceServer` is a separate loopback server that asks the authorization server
 * about each token by introspection (RFC 7662) as a confidential client, as a real API does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';

/** What the resource server learnt about a token from its issuer. */
export interface TokenInfo {
  active: boolean;
  sub?: string;
  /** RFC 9449 section 6: the thumbprint of the key the token is bound to. */
  jkt?: string;
}

/** How proofs are checked: nonce (null: none required), replay memory, the iat window. */
export interface ProofPolicy {
  nonce: () => string | null;
  seenJtis: Set<string>;
  iatWindowSeconds: number;
}

export interface Verdict {
  status: 200 | 400 | 401;
  /** WWW-Authenticate on a 401. */
  challenge?: string;
  /** Why, for the test's assertions (never shown to clients). */
  reason: string;
  scheme?: 'Bearer' | 'DPoP';
  sub?: string;
  proof?: Record<string, unknown>;
}

const deny = (reason: string, scheme: 'Bearer' | 'DPoP', error = 'invalid_token'): Verdict => ({
  status: 401,
  challenge:
    scheme === 'DPoP' ? `DPoP error="${error}", algs="ES256 ES384 ES512 EdDSA Ed25519"` : `Bearer error="${error}"`,
  reason,
});

/** Checks one request against the token's binding. `url` is the absolute URL the request was sent to. */
export async function verifyResourceRequest(
  req: { method: string; url: string; authorization?: string | undefined; dpop?: string | string[] | undefined },
  lookup: (token: string) => Promise<TokenInfo>,
  policy: ProofPolicy,
): Promise<Verdict> {
  const match = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.authorization ?? '');
  if (!match) return deny('no credentials', 'Bearer');
  const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const token = match[2]!;
  const info = await lookup(token);
  if (!info.active) return deny('token not active', scheme);
  if (info.jkt === undefined) {
    // A bearer token sent under the DPoP scheme is still only a bearer token: accept it as such.
    return scheme === 'Bearer'
      ? { status: 200, reason: 'bearer', scheme, ...(info.sub ? { sub: info.sub } : {}) }
      : deny('unbound token sent as DPoP', 'DPoP');
  }
  // RFC 9449 section 7.2: a bound token presented as a bearer token is refused.
  if (scheme !== 'DPoP') return deny('bound token sent as Bearer', 'DPoP');
  if (typeof req.dpop !== 'string' || req.dpop === '')
    return deny('no single DPoP proof', 'DPoP', 'invalid_dpop_proof');
  let payload: Record<string, unknown>;
  let jwk: Record<string, unknown>;
  try {
    const verified = await jwtVerify(req.dpop, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'],
    });
    payload = verified.payload as Record<string, unknown>;
    jwk = verified.protectedHeader.jwk as Record<string, unknown>;
  } catch {
    return deny('proof signature or header invalid', 'DPoP', 'invalid_dpop_proof');
  }
  if ('d' in jwk) return deny('private key in the proof header', 'DPoP', 'invalid_dpop_proof');
  const expectedHtu = new URL(req.url);
  expectedHtu.search = '';
  expectedHtu.hash = '';
  if (payload['htm'] !== req.method) return deny('htm mismatch', 'DPoP', 'invalid_dpop_proof');
  if (payload['htu'] !== expectedHtu.toString()) return deny('htu mismatch', 'DPoP', 'invalid_dpop_proof');
  const iat = payload['iat'];
  if (typeof iat !== 'number' || Math.abs(Date.now() / 1000 - iat) > policy.iatWindowSeconds)
    return deny('iat outside the window', 'DPoP', 'invalid_dpop_proof');
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti.length < 16) return deny('no usable jti', 'DPoP', 'invalid_dpop_proof');
  if (policy.seenJtis.has(jti)) return deny('jti replayed', 'DPoP', 'invalid_dpop_proof');
  if (payload['ath'] !== createHash('sha256').update(token).digest('base64url'))
    return deny('ath mismatch', 'DPoP', 'invalid_dpop_proof');
  if ((await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0])) !== info.jkt) {
    return deny('proof key is not the key the token is bound to', 'DPoP');
  }
  const nonce = policy.nonce();
  if (nonce !== null && payload['nonce'] !== nonce) return deny('nonce missing or stale', 'DPoP', 'use_dpop_nonce');
  policy.seenJtis.add(jti);
  return { status: 200, reason: 'dpop', scheme, proof: payload, ...(info.sub ? { sub: info.sub } : {}) };
}

/** Writes a verdict as the resource server's answer. */
export function answer(res: ServerResponse, verdict: Verdict, nonce: string | null): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (verdict.challenge) headers['www-authenticate'] = verdict.challenge;
  if (nonce !== null) headers['dpop-nonce'] = nonce;
  res.writeHead(verdict.status, headers);
  res.end(
    JSON.stringify(
      verdict.status === 200 ? { sub: verdict.sub ?? null, scheme: verdict.scheme } : { error: 'invalid_token' },
    ),
  );
}

export interface DpopResourceServer {
  origin: string;
  /** Every verdict, in order, for assertions. */
  verdicts: Verdict[];
  /** Makes the current nonce stale: the next DPoP request is challenged. */
  rotateNonce(): void;
  close(): Promise<void>;
}

/**
 * A resource server on its own loopback port (any path). Tokens are looked up by introspection at
 * `introspectionEndpoint` with HTTP Basic client credentials.
 */
export async function startDpopResourceServer(options: {
  introspectionEndpoint: string;
  clientId: string;
  clientSecret: string;
  requireNonce?: boolean;
}): Promise<DpopResourceServer> {
  let nonce: string | null = options.requireNonce ? randomBytes(16).toString('base64url') : null;
  const policy: ProofPolicy = { nonce: () => nonce, seenJtis: new Set(), iatWindowSeconds: 60 };
  const verdicts: Verdict[] = [];
  const basic = Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString('base64');
  const lookup = async (token: string): Promise<TokenInfo> => {
    const response = await fetch(options.introspectionEndpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    const json = (await response.json()) as { active?: boolean; sub?: string; cnf?: { jkt?: string } };
    return {
      active: json.active === true,
      ...(json.sub ? { sub: json.sub } : {}),
      ...(json.cnf?.jkt ? { jkt: json.cnf.jkt } : {}),
    };
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    verifyResourceRequest(
      {
        method: req.method ?? 'GET',
        url: `${origin}${req.url ?? '/'}`,
        authorization: req.headers.authorization,
        dpop: req.headers['dpop'],
      },
      lookup,
      policy,
    ).then(
      (verdict) => {
        verdicts.push(verdict);
        answer(res, verdict, nonce);
      },
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    verdicts,
    rotateNonce: () => {
      if (nonce !== null) nonce = randomBytes(16).toString('base64url');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
