/**
 * `authmachine token` and DPoP (RFC 9449), against the real oidc-provider offering DPoP (not
 * requiring it) and its /api/me, which takes a bound token only with a proof. A DPoP-bound access
 * token is useless to the tools `token` serves (curl, kubectl: they send `Bearer` and have no key),
 * so `token` refuses it in every format, by the fast path and the full CLI alike, before any
 * renewal, and says what to do; `login --no-dpop` gets a bearer token that another tool can
 * send. The ID token is not bound and is still printed.
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

const sendAsBearer = (url: string, token: string) =>
  fetch(url, { headers: { Authorization: `Bearer ${token}` } }).then((response) => response.status);

test('a DPoP-bound token is refused in every format, saying what to do; --no-dpop gets a bearer token tools can send', async (t) => {
  const { server } = t.context;
  const { env, tokenFile } = await cliHome(t, 'token-dpop');
  const bound = await loginInChromium(t, oidcLoginArgv(server, tokenFile), env, 'dpop-token-user');
  t.is(bound.result.code, 0, bound.result.stderr);
  const call = await runCli(['call', server.resourceUrl], env).result;
  t.is(call.code, 0, `the login is DPoP-bound and usable through call: ${call.stderr}`);

  const formats = [[], ['--json'], ['--format', 'exec-credential'], ['--format', 'env'], ['--refresh-skew', '86400']];
  for (const argv of formats) {
    for (const [how, run] of [
      ['in-process', (a: string[]) => runCli(a, env).result],
      ['bin (fast path first)', (a: string[]) => bin(a, env)],
    ] as const) {
      const result = await run(['token', ...argv]);
      const what = `${how} token ${argv.join(' ')}`;
      t.is(result.code, 2, `${what}: ${result.stderr}`);
      t.is(result.stdout, '', what);
      t.regex(result.stderr, /bound to a DPoP key \(RFC 9449\)/, what);
      t.regex(result.stderr, /--force --no-dpop/, what);
      t.is(result.stderr.split('\n').filter(Boolean).length, 1, `one message, no second hint: ${result.stderr}`);
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
    const printed = JSON.parse(json.stdout) as { token: string; token_type: string };
    t.is(printed.token_type, 'Bearer');
    t.is(await sendAsBearer(server.resourceUrl, printed.token), 200, 'another tool can send the printed token');
  }
});
