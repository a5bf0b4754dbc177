/**
 * A node:http server on 127.0.0.1 port 0 with one route per behaviour the HTTP clients must
 * handle: echo, any status, resets, stalls, oversized bodies and redirects.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EventEmitter } from 'node:events';

export interface TestServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Emits 'request' with the pathname whenever a request arrives. */
  events: EventEmitter;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTestServer(): Promise<TestServer> {
  const events = new EventEmitter();
  const sockets = new Set<Socket>();
  let port = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    events.emit('request', url.pathname);
    const body = await readBody(req);
    switch (url.pathname) {
      case '/echo': {
        res.setHeader('X-Multi', ['a', 'b']);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ method: req.method, headers: req.headers, body, query: url.search }));
        return;
      }
      case '/status': {
        res.statusCode = Number(url.searchParams.get('code'));
        res.end(`status ${res.statusCode}`);
        return;
      }
      case '/reset-mid-body': {
        res.writeHead(200, { 'Content-Length': '100000' });
        res.write('partial body', () => req.socket.destroy());
        return;
      }
      case '/stall-headers':
        return; // never answers
      case '/stall-body': {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('start of a body that never ends');
        return;
      }
      case '/big-chunked': {
        // 1 MiB without Content-Length: the limit has to be enforced while streaming.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        const chunk = 'x'.repeat(16 * 1024);
        for (let i = 0; i < 64; i++) res.write(chunk);
        res.end();
        return;
      }
      case '/big-declared': {
        res.writeHead(200, { 'Content-Length': String(1024 * 1024) });
        res.end('x'.repeat(1024 * 1024));
        return;
      }
      case '/redirect-same': {
        res.writeHead(302, { Location: '/echo?after=redirect' });
        res.end();
        return;
      }
      case '/redirect-loop': {
        res.writeHead(302, { Location: '/redirect-loop' });
        res.end();
        return;
      }
      case '/redirect-other-host': {
        res.writeHead(302, { Location: `http://localhost:${port}/echo` });
        res.end();
        return;
      }
      case '/see-other': {
        res.writeHead(303, { Location: '/echo' });
        res.end();
        return;
      }
      default:
        res.statusCode = 404;
        res.end('not found');
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
