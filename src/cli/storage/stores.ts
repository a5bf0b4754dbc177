/**
 * Picks the token store. The keychain is the default; a plaintext file only when asked for
 * (--store file), and then the CLI says where it went.
 */
import { join } from 'node:path';
import type { Lock, TokenStore } from '../../../adapters/contracts.js';
import { FileLock } from '../../../adapters/file-lock.js';
import { FileTokenStore, defaultTokenFilePath } from '../../../adapters/file-store.js';
import { KeytarTokenStore } from '../../../adapters/keytar-store.js';
import { MemoryTokenStore } from '../../../adapters/memory-store.js';
import { UsageError } from '../command.js';
import { keychainInChild } from './keychain-mode.js';
import { configDir, type StoreKind } from './profile.js';

export const STORE_KINDS: StoreKind[] = ['keychain', 'file', 'memory'];

export function parseStoreKind(value: unknown): StoreKind | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (STORE_KINDS as string[]).includes(value)) return value as StoreKind;
  throw new UsageError(`--store must be one of ${STORE_KINDS.join(', ')}.`);
}

/** AUTHMACHINE_KEYCHAIN_TIMEOUT_MS: how long one keychain call may take (default 10 000 ms). */
function keychainTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env['AUTHMACHINE_KEYCHAIN_TIMEOUT_MS']);
  return Number.isFinite(value) && value > 0 ? value : 10_000;
}

export function openStore(kind: StoreKind, tokenFile: string | undefined, env: NodeJS.ProcessEnv): TokenStore {
  switch (kind) {
    case 'keychain':
      return new KeytarTokenStore({
        service: env['AUTHMACHINE_KEYCHAIN_SERVICE'] ?? 'authmachine',
        timeoutMs: keychainTimeoutMs(env),
        ...(keychainInChild()
          ? {
              loadKeytar: async () => {
                const keytar = (await import('./keychain-process.js')).processKeytar();
                await keytar.ready();
                return keytar;
              },
            }
          : {}),
      });
    case 'file':
      return new FileTokenStore({ path: tokenFile ?? defaultTokenFilePath(env) });
    case 'memory':
      return new MemoryTokenStore();
  }
}

/**
 * The lock that serialises renewing and logging in across authmachine processes: lock files in
 * <config dir>/locks (the kernel frees them when a holder dies). None for the memory store.
 */
export function openLock(kind: StoreKind, env: NodeJS.ProcessEnv): Lock | null {
  return kind === 'memory' ? null : processesLock(env);
}

/** The lock authmachine processes of this config dir share, whatever store their logins use. */
export function processesLock(env: NodeJS.ProcessEnv): Lock {
  return new FileLock({ directory: join(configDir(env), 'locks') });
}
