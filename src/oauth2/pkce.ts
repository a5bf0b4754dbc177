/** PKCE (RFC 7636), S256 only: the plain method protects nothing if the URL leaks. */
import { createHash } from 'node:crypto';
import type { RandomSource } from '../../adapters/contracts.js';
import { base64url } from './encoding.js';

export interface Pkce {
  /** Secret: stays in the session, goes only to the token endpoint. */
  verifier: string;
  /** base64url(SHA-256(verifier)): goes into the authorization URL. */
  challenge: string;
  method: 'S256';
}

/** 32 random bytes give a 43-character verifier, the shortest RFC 7636 allows and 256 bits strong. */
export function createPkce(random: RandomSource): Pkce {
  const verifier = base64url(random.bytes(32));
  return { verifier, challenge: s256Challenge(verifier), method: 'S256' };
}

export function s256Challenge(verifier: string): string {
  return base64url(createHash('sha256').update(verifier, 'ascii').digest());
}
