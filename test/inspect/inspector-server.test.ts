import test from 'ava';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AuthError } from '../../adapters/errors.js';
import { startInspectorServer } from '../../src/inspect/inspector-server.js';
import { findPackageFile } from '../../src/inspect/package-root.js';
import { prepareSvg } from '../../src/inspect/inspector-page.js';
import { runSecretFlow } from './run-flow.js';
import { leakedSecrets } from './secret-protocol.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One GET with a chosen Host header; for /events, reads until `until` matches, then hangs up. */
function get(
  port: number,
  path: string,
  options: { host?: string; method?: string; until?: RegExp } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (options.until?.test(body)) {
            res.destroy();
            resolve({ status: res.statusCode!, headers: res.headers, body });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('the page is served on loopback with a nonce CSP and the statechart inline', async (t) => {
  const server = await startInspectorServer();
  t.teardown(() => server.close());
  t.regex(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await get(server.port, '/');
  t.is(page.status, 200);
  const csp = String(page.headers['content-security-policy']);
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
  t.truthy(nonce);
  t.true(csp.includes("default-src 'none'"));
  t.true(page.body.includes(`<script nonce="${nonce}">`));
  t.true(page.body.includes('id="auth.signingIn.awaitingUser.waitingForRedirect"'));
  t.true(page.body.includes('id="overview:auth.signingIn.awaitingUser"'), 'the overview is on the page too');
  t.true(page.body.includes('data-view="overview"'), 'and shown first');
  t.false(/https?:\/\/(?!www\.w3\.org)/.test(page.body.replace(/xmlns(:xlink)?="[^"]*"/g, '')), 'no outside resources');
  t.false(page.body.includes('innerHTML'));
  t.is(page.headers['x-content-type-options'], 'nosniff');
});

test('any Host header but 127.0.0.1:<port> or localhost:<port> is refused', async (t) => {
  const server = await startInspectorServer();
  t.teardown(() => server.close());
  t.is((await get(server.port, '/', { host: `localhost:${server.port}` })).status, 200);
  for (const host of [
    'evil.test',
    `evil.test:${server.port}`,
    '127.0.0.1',
    `127.0.0.1:${server.port + 1}`,
    `[::1]:${server.port}`,
  ]) {
    t.is((await get(server.port, '/', { host })).status, 403, host);
    t.is((await get(server.port, '/events', { host })).status, 403, host);
  }
});

test('only GET and HEAD, only the known paths', async (t) => {
  const server = await startInspectorServer();
  t.teardown(() => server.close());
  t.is((await get(server.port, '/', { method: 'POST' })).status, 405);
  t.is((await get(server.port, '/nope')).status, 404);
  t.is((await get(server.port, '/', { method: 'HEAD' })).status, 200);
});

test('a late event stream gets the whole history of the flow, redacted', async (t) => {
  const server = await startInspectorServer();
  t.teardown(() => server.close());
  const flow = await runSecretFlow({ inspect: server.inspect, loginOnly: true });
  t.teardown(() => flow.stop());
  const stream = await get(server.port, '/events', { until: /"auth\.authorized\.ready"/ });
  t.is(stream.headers['content-type'], 'text/event-stream; charset=utf-8');
  const steps = [...stream.body.matchAll(/^event: step\ndata: (.*)$/gm)].map(
    (m) => JSON.parse(m[1]!) as { index: number; stateIds: string[]; atMs: number },
  );
  t.deepEqual(
    steps.map((s) => s.index),
    server.steps().map((s) => s.index),
  );
  t.deepEqual(steps.at(-1)!.stateIds, ['auth.authorized.ready']);
  t.true(steps.every((s, i) => i === 0 || s.atMs >= steps[i - 1]!.atMs));
  t.deepEqual(leakedSecrets(stream.body), []);
  const history = await get(server.port, '/history.json');
  t.deepEqual(JSON.parse(history.body), server.steps());
});

test('only 127.0.0.1 is accepted as the host to listen on', async (t) => {
  const error = await t.throwsAsync(startInspectorServer({ host: '0.0.0.0' as '127.0.0.1' }));
  t.true(error instanceof AuthError);
  t.is((error as AuthError).code, 'ERR_CONFIG');
  await t.throwsAsync(startInspectorServer({ port: -1 }), { instanceOf: AuthError });
});

test('a missing drawing is ERR_CONFIG; a busy port is ERR_LISTENER', async (t) => {
  const missing = await t.throwsAsync(startInspectorServer({ diagramPath: '/nonexistent/auth-machine.svg' }));
  t.is((missing as AuthError).code, 'ERR_CONFIG');
  const first = await startInspectorServer();
  t.teardown(() => first.close());
  const busy = await t.throwsAsync(startInspectorServer({ port: first.port }));
  t.is((busy as AuthError).code, 'ERR_LISTENER');
});

test('close() ends open event streams and is safe to call twice', async (t) => {
  const server = await startInspectorServer();
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path: '/events', headers: { host: `127.0.0.1:${server.port}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        // Close once the stream is open; the stream must then end cleanly.
        res.once('data', () => void Promise.all([server.close(), server.close()]));
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end();
  });
  t.true(body.startsWith('event: reset'));
});

test('the drawing is found from the package root, and prepared for inlining', (t) => {
  const path = findPackageFile();
  t.regex(path, /diagrams[\\/]auth-machine\.svg$/);
  const svg = prepareSvg(
    '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "x" "y">\n<!-- c -->\n<svg width="10pt" height="5pt" viewBox="0 0 10 5"><script>x</script></svg>',
  );
  t.is(svg, '<svg id="chart" class="chart" role="img" aria-label="The login statechart" viewBox="0 0 10 5"></svg>');
});

test("the drawing is found from the module's own folder, whatever the working directory", (t) => {
  const moduleUrl = new URL('../../src/inspect/package-root.ts', import.meta.url).href;
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      '--input-type=module',
      '-e',
      `import { findPackageFile } from ${JSON.stringify(moduleUrl)}; console.log(findPackageFile());`,
    ],
    {
      cwd: tmpdir(),
      encoding: 'utf8',
    },
  );
  t.is(out.trim(), fileURLToPath(new URL('../../diagrams/auth-machine.svg', import.meta.url)));
});
