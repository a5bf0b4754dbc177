/**
 * A minimal stand-in for the real LoopbackReceiver: one HTTP listener on 127.0.0.1 (ephemeral
 * port) that captures the query of the first hit on /callback. Tests only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestLoopback {
  redirectUri: string;
  /** The query parameters of the first /callback hit. */
  callback: Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startTestLoopback(): Promise<TestLoopback> {
  let deliver!: (params: Record<string, string>) => void;
  const callback = new Promise<Record<string, string>>((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    deliver(Object.fromEntries(url.searchParams));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    callback,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
