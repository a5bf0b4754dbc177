/**
 * An error redirect that does not carry the login's `state` (some servers drop it, and anyone on
 * this machine can send one) cannot end the login (RFC 6749 section 10.12, RFC 9700 section 4.7).
 * But the person hears at once, in the terminal and on the page, what it said, and the final
 * timeout names it instead of claiming nobody came back. The CLI in-process, a real provider, the
 * real loopback receiver.
 */
import anyTest, { type TestFn } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-run.js';
import { CLIENT_ID, startOidcServer, type OidcServer } from '../helpers/oidc-server.js';

const test = anyTest as TestFn<{ server: OidcServer; dir: string }>;

test.before(async (t) => {
  t.context.server = await startOidcServer();
  t.context.dir = await mkdtemp(join(tmpdir(), 'authmachine-stray-'));
});
test.after.always(async (t) => {
  await t.context.server?.close();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

test('an error redirect without state: told at once, repeated on the page, ignored, and named by the timeout', async (t) => {
  const { server, dir } = t.context;
  const home = join(dir, 'home');
  const env = { AUTHMACHINE_CONFIG_DIR: join(home, 'config'), HOME: home };
  const login = runCli(
    [
      'login',
      '--issuer',
      server.issuer,
      '--client-id',
      CLIENT_ID,
      '--store',
      'file',
      '--token-file',
      join(home, 'tokens.json'),
      '--no-browser',
      '--timeout',
      '4',
    ],
    env,
  );
  const [, url] = await login.stderrMatch(/open this URL in your browser[^\n]*\n\s+(\S+)\n/);
  const redirectUri = new URL(url!).searchParams.get('redirect_uri')!;

  // No state at all; the description carries a terminal escape and markup.
  const description = 'The user said no\u001b]0;pwned\u0007 <script>x</script>';
  const page = await fetch(`${redirectUri}?error=access_denied&error_description=${encodeURIComponent(description)}`);
  t.is(page.status, 400);
  const html = await page.text();
  t.regex(
    html,
    /The provider answered with the error &quot;access_denied&quot; \(The user said no\?\]0;pwned\? &lt;script&gt;x&lt;\/script&gt;\)/,
  );
  t.regex(html, /keeps waiting/);
  t.false(html.includes('<script>'));

  const [told] = await login.stderrMatch(/[^\n]*answered with the error "access_denied[^\n]*\n/);
  t.is(
    told,
    `${new URL(server.issuer).host} answered with the error "access_denied: The user said no?]0;pwned? <script>x</script>", but without this login's state, so it cannot be trusted to end the login (anyone on this machine could have sent it). Still waiting for a trusted answer.\n`,
  );

  // A wrong state is no better: still ignored.
  t.is((await fetch(`${redirectUri}?error=server_error&state=not-this-login`)).status, 400);
  await login.stderrMatch(/answered with the error "server_error"/);

  const result = await login.result;
  t.is(result.code, 5, result.stderr);
  t.false(result.stderr.includes('\u001b]'), 'no terminal escape from the provider reaches the terminal');
  t.notRegex(result.stderr, /Nobody completed/);
  t.regex(
    result.stderr,
    /The provider answered with the error "server_error", but without this login's state, so it could not be trusted to end the login \(RFC 6749 section 10\.12\), and no trusted answer came in time\./,
  );
  t.regex(result.stderr, /check the app's registration \(its redirect URI\) at the provider/);
  t.notRegex(result.stderr, /before the countdown/);
  t.is(result.stdout, '');
});
