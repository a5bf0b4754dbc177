/**
 * `authmachine token` and DPoP (RFC 9449), against the real oidc-provider offering DPoP (not
 * requiring it) and its /api/me, which takes a bound token only with a proof. `token` prints a
 * DPoP-bound access token with its type (token_type DPoP) in every format, by the full CLI (the
 * fast path leaves it there), with one note on stderr; the printed token is useless without the
 * key, sent as `Bearer` or as `DPoP` without a proof. `login --no-dpop` gets a bearer token that
 * another tool can send.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli-run.js';
import { cliHome, loginInChromium, oidcLoginArgv, oidcSuite } from '../helpers/oidc-suite.js';

const test = oidcSuite({ dpop: {} });
const root = fileURLToPath(new URL('../..', import.meta.url));

/** bin/authmachine.js as a process: the fast path first, then the full CLI. */
function bin(argv: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/authmachine.js', ...argv],
      { cwd: root, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

const send = (url: string, scheme: 'Bearer' | 'DPoP', token: string) =>
  fetch(url, { headers: { Authorization: `${scheme} ${token}` } }).then((response) => response.status);

test('a DPoP-bound token is printed with its type and a note, and is useless without the key; --no-dpop gets a bearer token tools can send', async (t) => {
  const { server } = t.context;
  const { env, tokenFile } = await cliHome(t, 'token-dpop');
  const bound = await loginInChromium(t, oidcLoginArgv(server, tokenFile), env, 'dpop-token-user');
  t.is(bound.result.code, 0, bound.result.stderr);
  const call = await runCli(['call', server.resourceUrl], env).result;
  t.is(call.code, 0, `the login is DPoP-bound and usable through call: ${call.stderr}`);

  const json = await bin(['token', '--json'], env);
  t.is(json.code, 0, json.stderr);
  const printed = JSON.parse(json.stdout) as { token: string; token_type: string };
  t.is(printed.token_type, 'DPoP');
  t.is(await send(server.resourceUrl, 'Bearer', printed.token), 401, 'the copy sent as Bearer is refused');
  t.is(await send(server.resourceUrl, 'DPoP', printed.token), 401, 'the copy sent as DPoP without a proof is refused');

  const formats = [[], ['--json'], ['--format', 'exec-credential'], ['--format', 'env'], ['--refresh-skew', '86400']];
  for (const argv of formats) {
    for (const [how, run] of [
      ['in-process', (a: string[]) => runCli(a, env).result],
      ['bin (fast path first)', (a: string[]) => bin(a, env)],
    ] as const) {
      const result = await run(['token', ...argv]);
      const what = `${how} token ${argv.join(' ')}`;
      t.is(result.code, 0, `${what}: ${result.stderr}`);
      t.true(result.stdout.includes(printed.token) || argv.includes('--refresh-skew'), what);
      t.regex(result.stderr, /bound to a DPoP key \(RFC 9449\)/, what);
      t.regex(result.stderr, /--force --no-dpop/, what);
      t.is(result.stderr.split('\n').filter(Boolean).length, 1, `one note: ${result.stderr}`);
    }
  }
  const idToken = await bin(['token', '--id-token'], env);
  t.is(idToken.code, 0, idToken.stderr);
  t.regex(idToken.stdout, /^ey[\w-]+\.[\w-]+\.[\w-]+\n$/, 'the ID token is not bound: printed');

  const both = await runCli(['login', '--issuer', server.issuer, '--client-id', 'x', '--dpop', '--no-dpop'], env)
    .result;
  t.is(both.code, 2);
  t.regex(both.stderr, /--dpop and --no-dpop contradict each other/);

  const bearer = await loginInChromium(
    t,
    oidcLoginArgv(server, tokenFile, { extra: ['--force', '--no-dpop'] }),
    env,
    'dpop-token-user',
  );
  t.is(bearer.result.code, 0, bearer.result.stderr);
  for (const run of [(a: string[]) => runCli(a, env).result, (a: string[]) => bin(a, env)]) {
    const json = await run(['token', '--json']);
    t.is(json.code, 0, json.stderr);
    t.is(json.stderr, '', 'no note for a bearer token');
    const printed = JSON.parse(json.stdout) as { token: string; token_type: string };
    t.is(printed.token_type, 'Bearer');
    t.is(await send(server.resourceUrl, 'Bearer', printed.token), 200, 'another tool can send the printed token');
  }
});
