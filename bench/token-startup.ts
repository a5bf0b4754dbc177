/**
 * `authmachine token` with a valid stored token, as the tools that run it before every command see
 * it: whole processes from the built CLI, against bare `node -e 0`, round-robin so load drift hits
 * all alike; median wall time from spawn to exit. The file store always; the keychain (Secret
 * Service through keytar) when one answers on this machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeytarTokenStore } from '../adapters/keytar-store.js';
import { storageKeyOf } from '../src/cli/storage/account.js';
import { writeProfile, type Profile } from '../src/cli/storage/profile.js';
import { encodeTokenSet } from '../src/flow/token-codec.js';
import { writeOAuthLogin } from '../test/helpers/cli-profile.js';
import { median, report, type Figure } from './lib/figures.js';
import { timedRun } from './lib/spawn-timed.js';

const WARMUP = 3;
const RUNS = 21;
const root = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = {
  accessToken: 'bench-access-token-0123456789',
  refreshToken: 'bench-refresh-token',
  expiresAt: Date.now() + 24 * 3_600_000,
  tokenType: 'Bearer',
};
const ISSUER = 'http://127.0.0.1:9';

/** A keychain login for the bench, or null when no keychain answers here (then that figure is skipped). */
async function keychainLogin(configDir: string, service: string): Promise<(() => Promise<void>) | null> {
  const store = new KeytarTokenStore({ service, timeoutMs: 5_000 });
  const profile: Profile = { provider: 'oauth2', issuer: ISSUER, clientId: 'bench', store: 'keychain' };
  const key = storageKeyOf(profile, 'keychain');
  try {
    await store.set(key, encodeTokenSet(TOKEN));
  } catch {
    return null;
  }
  await writeProfile({ AUTHMACHINE_CONFIG_DIR: configDir }, 'keychain', profile);
  return async () => void (await store.delete(key).catch(() => false));
}

export async function tokenStartup(): Promise<Figure[]> {
  const configDir = await mkdtemp(join(tmpdir(), 'authmachine-bench-token-'));
  const service = `authmachine-bench-${process.pid}`;
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: configDir,
    AUTHMACHINE_CONFIG_DIR: configDir,
    AUTHMACHINE_KEYCHAIN_SERVICE: service,
    ...dbusEnv(),
  };
  await writeOAuthLogin(configDir, { issuer: ISSUER, clientId: 'bench', token: TOKEN });
  const cleanKeychain = await keychainLogin(configDir, service);
  const commands: Array<{ name: string; args: string[] }> = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'token (file store)', args: ['bin/authmachine.js', 'token'] },
    ...(cleanKeychain
      ? [{ name: 'token (keychain)', args: ['bin/authmachine.js', 'token', '--profile', 'keychain'] }]
      : []),
  ];
  const times = new Map(commands.map((c) => [c.name, [] as number[]]));
  try {
    for (const command of commands.slice(1)) {
      const check = spawnSync(process.execPath, command.args, { cwd: root, env, encoding: 'utf8' });
      if (check.status !== 0 || check.stdout !== `${TOKEN.accessToken}\n`)
        throw new Error(`${command.name} exited ${check.status}: ${check.stderr} (is the CLI built?)`);
    }
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const command of commands) {
        const run = await timedRun(process.execPath, command.args, { cwd: root, env });
        if (run.code !== 0) throw new Error(`${command.name} exited ${run.code}`);
        if (i >= WARMUP) times.get(command.name)!.push(run.ms);
      }
    }
  } finally {
    await cleanKeychain?.();
    await rm(configDir, { recursive: true, force: true });
  }
  const bare = { label: 'node -e 0', value: median(times.get('node -e 0')!) };
  const figures: Figure[] = [
    {
      label: 'token, valid stored token (file store)',
      value: median(times.get('token (file store)')!),
      unit: 'ms',
      runs: RUNS,
      statistic: 'median',
      baseline: bare,
      target: { kind: 'max', ratio: 1.3 },
      note: 'node bin/authmachine.js token with a fresh token in a 0600 token file: the CommonJS bin loads one bundled module (dist/token-fast-path.cjs), which reads the profile and the file and prints; no package and no ES module is loaded (test/cli/token-fast-path.test.ts).',
      cause:
        "What is left is Node's own start-up plus one bundled module (about 50 KB) and three file reads; " +
        'the keychain and every case that needs renewing go through the full CLI.',
    },
  ];
  if (cleanKeychain) {
    figures.push({
      label: 'token, valid stored token (keychain)',
      value: median(times.get('token (keychain)')!),
      unit: 'ms',
      runs: RUNS,
      statistic: 'median',
      baseline: bare,
      note: 'The same with the token in the Secret Service keychain: the full CLI (the fast path answers token files only), which runs keytar (a native module) in a helper child so a keychain that never answers cannot keep the command alive, then one D-Bus round trip; no target set.',
    });
  } else {
    console.log(
      "token (keychain): skipped, no keychain answers on this machine (run inside scripts/test.sh's D-Bus session to measure it).",
    );
  }
  return figures;
}

/** The D-Bus session of the caller, so keytar in the child reaches the same keyring. */
function dbusEnv(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME'])
    if (process.env[name]) out[name] = process.env[name];
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) report('token-startup', await tokenStartup());
