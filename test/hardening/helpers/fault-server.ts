/**
 * A tiny programmable HTTP server for the fault matrix: it answers every endpoint of a protocol
 * correctly (the caller supplies `serve`) except one, which gets the fault under test. It counts
 * hits per endpoint, tracks its open sockets, and can stop listening at a chosen moment so the
 * next call meets a refused connection.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const FAULTS = [
  'refused',
  'reset',
  'stall',
  'endless',
  '5xx',
  '5xx+retry-after',
  '429+retry-after',
  '403-limit',
  'malformed',
  'html',
  'oversize',
  'redirect',
] as const;
export type Fault = (typeof FAULTS)[number];

/** A correct answer. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface ServedRequest {
  method: string;
  url: URL;
  /** Lower-case names, as Node gives them. */
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed form body (OAuth) or JSON body (Pocket), whichever parsed. */
  fields: Record<string, unknown>;
}

export interface FaultServerOptions {
  /** Names the endpoint a request is for ("token:refresh", "get"...). */
  classify(request: ServedRequest): string;
  /** The correct answer for an endpoint. */
  serve(endpoint: string, request: ServedRequest, server: FaultServer): Reply;
  /** The endpoint under test and its fault (none: everything answers correctly). */
  fault?: { endpoint: string; kind: Fault };
  /** Size of the oversize body: the client's limit plus a margin. */
  oversizeBytes?: number;
  /** Declare the oversize body's length up front (a huge list) instead of streaming it chunked. */
  declareOversize?: boolean;
  /** Stop listening right after answering this endpoint (for 'refused' cells). */
  refuseAfter?: string;
}

export interface FaultServer {
  origin: string;
  port: number;
  hits: Map<string, number>;
  /** Every request seen, for the secrets test. */
  seen: ServedRequest[];
  openSockets(): number;
  /** Stops accepting connections and drops open ones: the next call is refused. */
  stopListening(): Promise<void>;
  close(): Promise<void>;
}

const HTML_PAGE =
  '<!doctype html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>' +
  '<p>The proxy could not reach the upstream server.</p></body></html>';

function parseFields(body: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').includes('json')) {
    try {
      const value: unknown = JSON.parse(body);
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

/** Answers with the fault. Every answer closes its connection, so no idle socket lingers. */
function answerWithFault(
  res: ServerResponse,
  kind: Exclude<Fault, 'refused'>,
  oversizeBytes: number,
  declare: boolean,
): void {
  const json = { 'Content-Type': 'application/json', Connection: 'close' };
  switch (kind) {
    case 'reset':
      res.writeHead(200, { ...json, 'Content-Length': '4096' });
      res.write('{"access_token":"tr', () => res.socket?.destroy());
      return;
    case 'stall':
      return; // no status line, no headers, ever
    case 'endless':
      res.writeHead(200, json);
      res.write('{"list":{');
      return; // the body never ends
    case '5xx':
      res.writeHead(503, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Service Unavailable');
      return;
    case '5xx+retry-after':
      res
        .writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1', Connection: 'close' })
        .end('Service Unavailable');
      return;
    case '429+retry-after':
      res
        .writeHead(429, { 'Content-Type': 'text/plain', 'Retry-After': '1', Connection: 'close' })
        .end('Too Many Requests');
      return;
    case '403-limit':
      res
        .writeHead(403, {
          'Content-Type': 'text/plain',
          'X-Limit-User-Limit': '320',
          'X-Limit-User-Remaining': '0',
          'X-Limit-User-Reset': '1',
          Connection: 'close',
        })
        .end('Forbidden');
      return;
    case 'malformed':
      res.writeHead(200, json).end('{"status":1,"access_token":"abc","list":{"12');
      return;
    case 'html':
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' }).end(HTML_PAGE);
      return;
    case 'oversize': {
      // Chunked by default, no Content-Length: the limit must be enforced while streaming.
      res.writeHead(200, declare ? { ...json, 'Content-Length': String(oversizeBytes) } : json);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < oversizeBytes && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      res.on('close', () => (sent = oversizeBytes));
      pump();
      return;
    }
    case 'redirect':
      res.writeHead(302, { Location: 'https://attacker.invalid/collect', Connection: 'close' }).end();
      return;
  }
}

export async function startFaultServer(options: FaultServerOptions): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const hits = new Map<string, number>();
  const seen: ServedRequest[] = [];
  let stopped = false;

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', origin);
      const request: ServedRequest = {
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
        body,
        fields: parseFields(body, req.headers['content-type']),
      };
      seen.push(request);
      const endpoint = options.classify(request);
      hits.set(endpoint, (hits.get(endpoint) ?? 0) + 1);
      const fault = options.fault;
      if (fault && fault.endpoint === endpoint && fault.kind !== 'refused') {
        return answerWithFault(
          res,
          fault.kind,
          options.oversizeBytes ?? 11 * 1024 * 1024,
          options.declareOversize ?? false,
        );
      }
      const reply = options.serve(endpoint, request, api);
      res.writeHead(reply.status, { 'Content-Type': 'application/json', Connection: 'close', ...reply.headers });
      res.end(reply.body, () => {
        if (options.refuseAfter === endpoint) void api.stopListening();
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const api: FaultServer = {
    origin,
    port,
    hits,
    seen,
    openSockets: () => sockets.size,
    stopListening: async () => {
      if (!stopped) {
        stopped = true;
        server.close();
      }
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    close: () => api.stopListening(),
  };
  return api;
}

/** Waits (briefly) until the server has no open socket; returns how many were left. */
export async function socketsDrained(server: FaultServer, withinMs = 2000): Promise<number> {
  const until = Date.now() + withinMs;
  while (server.openSockets() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return server.openSockets();
}
