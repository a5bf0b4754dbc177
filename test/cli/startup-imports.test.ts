/**
 * CLI paths that make no request must not load an HTTP library (nor the browser opener or the
 * keychain binding): they would pay for it in start-up time, and `--help` must work even where
 * those packages cannot load. The control proves the recorder does see axios on a path that
 * makes requests, so the absent cases mean something.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOAuthLogin, writePocketLogin } from '../helpers/cli-profile.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const HEAVY = ['axios', 'open', 'keytar'];

interface Run {
  code: number;
  packages: Set<string>;
  /** Our own modules, by path from the repository root (src/cli/main.ts, adapters/file-store.ts, ...). */
  ours: Set<string>;
}

/** Runs the CLI's main() under the module-load recorder; returns its exit code and the packages it loaded. */
function runCli(args: string[], configDir: string): Promise<Run> {
  const script = `import { main } from './src/cli/main.ts'; process.exitCode = await main(${JSON.stringify(args)});`;
  const env = { PATH: process.env['PATH'] ?? '', HOME: configDir, AUTHMACHINE_CONFIG_DIR: configDir };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', './test/helpers/module-load-recorder.mjs', '--input-type=module', '-e', script],
      { cwd: root, env, timeout: 45_000 },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') return reject(error);
        const packages = new Set<string>();
        const ours = new Set<string>();
        for (const line of stdout.split('\n')) {
          const match = /^LOADED .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
          if (match) packages.add(match[1]!);
          else if (line.startsWith(`LOADED file://${root}`)) ours.add(line.slice(`LOADED file://${root}`.length));
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, packages, ours });
      },
    );
  });
}

async function tempConfig(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-imports-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const quiet: Array<[string, string[], number]> = [
  ['--help', ['--help'], 0],
  ['status (not logged in)', ['status'], 3],
  ['items --help', ['items', '--help'], 0],
  ['login --help', ['login', '--help'], 0],
];

for (const [title, args, expectedCode] of quiet) {
  test(`${title} loads none of ${HEAVY.join(', ')}`, async (t) => {
    const run = await runCli(args, await tempConfig(t));
    t.is(run.code, expectedCode);
    for (const pkg of HEAVY) t.false(run.packages.has(pkg), `${pkg} was loaded`);
  });
}

test('--help loads no token store, lock or profile module: only the CLI core', async (t) => {
  const run = await runCli(['--help'], await tempConfig(t));
  t.is(run.code, 0);
  t.true(
    run.ours.has('src/cli/main.ts'),
    'the recorder did not see our own modules: the check below would prove nothing',
  );
  const storage = [...run.ours].filter((path) =>
    /^adapters\/(?!errors)|^src\/cli\/storage\/(?!keychain-mode)/.test(path),
  );
  t.deepEqual(storage, []);
});

test('status with a stored file login reads the store and still loads no HTTP library', async (t) => {
  const dir = await tempConfig(t);
  await writePocketLogin(dir, {
    baseUrl: 'http://127.0.0.1:9',
    consumerKey: '12345-abcdef0123456789abcdef01',
    accessToken: 'aaaaaaaa-bbbb-cccc-dddd-eeeeee',
    username: 'demo',
  });
  const run = await runCli(['status'], dir);
  t.is(run.code, 0, 'the stored login was not found: the case would prove nothing');
  for (const pkg of HEAVY) t.false(run.packages.has(pkg), `${pkg} was loaded`);
});

test('token with a fresh stored login loads neither an HTTP library nor the state machine', async (t) => {
  const dir = await tempConfig(t);
  const token = {
    accessToken: 'access-token-0123456789',
    refreshToken: 'refresh-0123456789',
    expiresAt: Date.now() + 3_600_000,
  };
  await writeOAuthLogin(dir, { issuer: 'http://127.0.0.1:9', clientId: 'cli', token });
  const run = await runCli(['token'], dir);
  t.is(run.code, 0, 'the stored login was not found: the case would prove nothing');
  for (const pkg of [...HEAVY, 'xstate', 'jose']) t.false(run.packages.has(pkg), `${pkg} was loaded`);
});

test('control: demo, which makes requests, does load axios', async (t) => {
  const run = await runCli(['demo', '--store', 'memory', '--simulate'], await tempConfig(t));
  t.is(run.code, 0);
  t.true(run.packages.has('axios'), 'the recorder did not see axios: the other cases would prove nothing');
});
