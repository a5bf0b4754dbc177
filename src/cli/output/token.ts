/**
 * What `authmachine token` prints, in each format. Tokens go to stdout only, never to stderr.
 *
 * exec-credential: the ExecCredential that kubectl reads from an exec credential plugin
 * (apiVersion client.authentication.k8s.io/v1, kind ExecCredential, status.token and
 * status.expirationTimestamp in RFC 3339).
 */
import { decodeJwt } from '../../oauth2/id-token.js';

export type TokenFormat = 'plain' | 'json' | 'exec-credential' | 'env';
export const TOKEN_FORMATS: TokenFormat[] = ['plain', 'json', 'exec-credential', 'env'];

export interface PrintedToken {
  /** The access token, or the ID token with --id-token. Secret. */
  token: string;
  /** "Bearer", "DPoP"... for an access token; "id_token" for an ID token. */
  type: string;
  /** Epoch ms, or null when the provider gave no expiry. */
  expiresAt: number | null;
  scope: string | null;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString();

/** A POSIX shell single-quoted word: safe for `eval "$(authmachine token --format env)"`. */
const shellWord = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function formatToken(printed: PrintedToken, format: TokenFormat): string {
  switch (format) {
    case 'plain':
      return `${printed.token}\n`;
    case 'json':
      return `${JSON.stringify({
        token: printed.token,
        token_type: printed.type,
        expires_at: printed.expiresAt === null ? null : rfc3339(printed.expiresAt),
        expires_at_epoch_seconds: printed.expiresAt === null ? null : Math.floor(printed.expiresAt / 1000),
        scope: printed.scope,
      })}\n`;
    case 'exec-credential':
      return `${JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: {
          token: printed.token,
          ...(printed.expiresAt === null ? {} : { expirationTimestamp: rfc3339(printed.expiresAt) }),
        },
      })}\n`;
    case 'env': {
      const lines = [
        `export AUTHMACHINE_TOKEN=${shellWord(printed.token)}`,
        `export AUTHMACHINE_TOKEN_TYPE=${shellWord(printed.type)}`,
        `export AUTHMACHINE_TOKEN_EXPIRES_AT=${shellWord(printed.expiresAt === null ? '' : rfc3339(printed.expiresAt))}`,
      ];
      return `${lines.join('\n')}\n`;
    }
  }
}

/** An ID token's `exp` (epoch ms) read from its payload, without verifying it (it was verified when received). */
export function idTokenExpiry(idToken: string): number | null {
  let exp: unknown;
  try {
    exp = decodeJwt(idToken).payload['exp'];
  } catch {
    return null;
  }
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
}
