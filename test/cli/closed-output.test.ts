/**
 * stdout closed by its reader (`authmachine token | head -c0`, `status | true`, a tool that read
 * what it wanted): nothing left to print has a reader, which is no fault of authmachine's. Both the
 * `token` fast path and the full CLI end quietly with exit 141 (as SIGPIPE would end them), with no
 * stack trace and no "bug in authmachine" on stderr.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../../src/cli/output/exit-codes.js';
import { reportFailure } from '../../src/cli/output/report.js';
import { writeOAuthLogin } from '../helpers/cli-profile.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function loggedIn(t: ExecutionContext) {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-closed-output-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'config');
  await writeOAuthLogin(config, {
    issuer: 'http://127.0.0.1:9',
    clientId: 'cli',
    token: { accessToken: 'access-closed-output-0123456789', refreshToken: 'r', expiresAt: Date.now() + 3_600_000 },
  });
  return { dir, env: { HOME: dir, AUTHMACHINE_CONFIG_DIR: config, PATH: process.env['PATH'] ?? '' } };
}

/**
 * Runs bin/authmachine.js with stdout a pipe whose only reader has already closed it: the reader
 * closes its end, then marks a file, and only then does the command start. Deterministic: every
 * write the command makes fails with EPIPE.
 */
function runWithClosedStdout(dir: string, argv: string[], env: NodeJS.ProcessEnv) {
  const script =
    'd=$1; shift; ' +
    '{ while [ ! -e "$d/closed" ]; do sleep 0.01; done; "$@"; echo $? > "$d/code"; } | { exec 0<&-; : > "$d/closed"; }';
  return new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    execFile(
      'sh',
      ['-c', script, 'sh', dir, process.execPath, 'bin/authmachine.js', ...argv],
      { cwd: root, env, timeout: 60_000 },
      async (error, _stdout, stderr) => {
        if (error) return reject(error);
        resolve({ code: Number((await readFile(join(dir, 'code'), 'utf8')).trim()), stderr });
      },
    );
  });
}

const commands: Array<[string, string[]]> = [
  ['token, answered by the fast path', ['token']],
  ['token --json, answered by the fast path', ['token', '--json']],
  ['status, answered by the full CLI', ['status']],
];

for (const [title, argv] of commands) {
  test(`a closed stdout ends ${title} quietly with exit 141`, async (t) => {
    const { dir, env } = await loggedIn(t);
    const run = await runWithClosedStdout(dir, argv, env);
    t.is(run.code, EXIT.outputClosed, run.stderr);
    t.is(run.stderr, '');
  });
}

test('reportFailure: EPIPE from a write is exit 141 with nothing on stderr', (t) => {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const io = { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {}, interactive: false };
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' });
  t.is(reportFailure(epipe, io), 141);
  t.is(err, '');
});
