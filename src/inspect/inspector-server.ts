/**
 * startInspectorServer: a local inspector that needs no internet. A loopback-only HTTP server
 * serves one page (see inspector-page.ts) and streams the flow's redacted steps to it with
 * Server-Sent Events; a page that connects late gets the whole history first.
 *
 *   const inspector = await startInspectorServer();
 *   console.log(`Inspector: ${inspector.url}`);
 *   const flow = createAuthFlow({ ...options, inspect: inspector.inspect });
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, isAuthError } from '../../adapters/errors.js';
import { InspectorHistory, type HistoryMessage, type InspectorStep } from './inspector-history.js';
import { inspectorPagePolicy, renderInspectorPage, type InspectorDiagrams } from './inspector-page.js';
import { DIAGRAM_FILE, OVERVIEW_FILE, findPackageFile } from './package-root.js';
import { stateDescriptions } from '../diagram/statechart-graph.js';
import { createRedactingInspector, type RedactingInspector } from './redacting-inspector.js';
import type { Redactor } from './redactor.js';
import { ingest } from './ingest.js';

/** Options of {@link startInspectorServer}. */
export interface InspectorServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Loopback only: anything else is refused with ERR_CONFIG. */
  host?: '127.0.0.1';
  /** The full statechart drawing. Default: diagrams/auth-machine.svg of this package. */
  diagramPath?: string;
  /** The overview drawing, shown first. Default: diagrams/auth-overview.svg of this package. */
  overviewPath?: string;
  /** Share a redactor with other inspectors. */
  redactor?: Redactor;
  /** Clock for event timing. Default Date.now. */
  now?: () => number;
  /**
   * Lets flows in other processes report here: POST /ingest with this key in the
   * x-authmachine-inspector-key header and a JSON array of redacted events (see remote-inspector.ts).
   * Unset: no ingest endpoint.
   */
  ingestKey?: string;
}

/** A running local inspector (see {@link startInspectorServer}). */
export interface InspectorServer {
  /** e.g. "http://127.0.0.1:49321/". */
  readonly url: string;
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Pass this as `inspect` to createAuthFlow or createActor. */
  readonly inspect: RedactingInspector;
  /** The steps of the current flow so far (what the page shows). */
  steps(): readonly InspectorStep[];
  /** Ends the page streams and stops the server. */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

const KEEPALIVE_MS = 15_000;

function sseMessage(message: HistoryMessage): string {
  return message.kind === 'reset'
    ? 'event: reset\ndata: {}\n\n'
    : `event: step\ndata: ${JSON.stringify(message.step)}\n\n`;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

/**
 * Starts the local inspector: a 127.0.0.1-only page that shows the statechart and each step of
 * the flow (redacted) live, with no internet needed. Open `url` in a browser.
 *
 * @throws AuthError ERR_CONFIG for a host other than 127.0.0.1, a port outside 0-65535, or
 *   drawings that cannot be read; ERR_LISTENER when the port cannot be bound.
 * @example
 * ```ts
 * const inspector = await startInspectorServer();
 * console.log(`Inspector: ${inspector.url}`);
 * const flow = createAuthFlow({ ...options, inspect: inspector.inspect });
 * ```
 */
export async function startInspectorServer(options: InspectorServerOptions = {}): Promise<InspectorServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new AuthError('ERR_CONFIG', 'The inspector server listens on 127.0.0.1 only.');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new AuthError('ERR_CONFIG', 'The inspector port must be an integer from 0 to 65535.');

  let diagrams: InspectorDiagrams;
  try {
    diagrams = {
      full: await readFile(options.diagramPath ?? findPackageFile(DIAGRAM_FILE), 'utf8'),
      overview: await readFile(options.overviewPath ?? findPackageFile(OVERVIEW_FILE), 'utf8'),
      descriptions: stateDescriptions(),
    };
  } catch (error) {
    if (isAuthError(error)) throw error;
    throw new AuthError('ERR_CONFIG', 'The statechart drawing for the inspector could not be read.', { cause: error });
  }

  const history = new InspectorHistory();
  const inspect = createRedactingInspector((event) => history.add(event), {
    ...(options.redactor ? { redactor: options.redactor } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const streams = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();

  const servePage = (res: ServerResponse, headOnly: boolean) => {
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': inspectorPagePolicy(nonce),
    });
    res.end(headOnly ? undefined : renderInspectorPage(diagrams, nonce));
  };

  const serveEvents = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    // Late joiners first get the whole history of the current flow.
    res.write(sseMessage({ kind: 'reset' }));
    for (const step of history.steps) res.write(sseMessage({ kind: 'step', step }));
    streams.add(res);
    const unsubscribe = history.subscribe((message) => res.write(sseMessage(message)));
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    req.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(res);
    });
  };

  const server = createServer((req, res) => {
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 must not read the stream.
    if (!allowedHosts.has(req.headers.host ?? '')) return plain(res, 403, 'Forbidden host.');
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/ingest' && options.ingestKey)
      return void ingest(req, res, options.ingestKey, (event) => history.add(event));
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.');
    if (path === '/' || path === '/index.html') return servePage(res, req.method === 'HEAD');
    if (path === '/events') return serveEvents(req, res);
    if (path === '/history.json') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
      return void res.end(JSON.stringify(history.steps));
    }
    return plain(res, 404, 'Not found.');
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        new AuthError(
          'ERR_LISTENER',
          `The inspector could not listen on 127.0.0.1:${port} (${error.code ?? 'error'}).`,
          { cause: error },
        ),
      );
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${bound}/`,
    port: bound,
    inspect,
    steps: () => history.steps,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        streams.clear();
        // close() also drops idle keep-alive connections; one still busy after a second is cut.
        server.close(() => resolve());
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      return closing;
    },
  };
}
