/**
 * The child process the CLI's keychain calls run in (see keychain-process.ts). One JSON request
 * per line on stdin ({ id, op, service, account, password? }), one JSON answer per line on stdout.
 * Secrets travel only through the pipes, never in arguments.
 */
import { createInterface } from 'node:readline';

interface Request {
  id: number;
  op: 'get' | 'set' | 'delete';
  service: string;
  account: string;
  password?: string;
}

type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
};

const keytar: Promise<Keytar> = import('keytar').then(
  (module) => ((module as { default?: Keytar }).default ?? module) as Keytar,
);
// Ready once keytar is loaded (or failed to load: then each request reports why).
keytar.then(
  () => process.stdout.write('{"ready":true}\n'),
  () => process.stdout.write('{"ready":true}\n'),
);

function answer(id: number, result: { ok: true; value: unknown } | { ok: false; message: string }): void {
  process.stdout.write(`${JSON.stringify({ id, ...result })}\n`);
}

createInterface({ input: process.stdin }).on('line', async (line) => {
  let request: Request;
  try {
    request = JSON.parse(line) as Request;
  } catch {
    return;
  }
  try {
    const k = await keytar;
    const value =
      request.op === 'get'
        ? await k.getPassword(request.service, request.account)
        : request.op === 'set'
          ? await k.setPassword(request.service, request.account, request.password ?? '')
          : await k.deletePassword(request.service, request.account);
    answer(request.id, { ok: true, value: value ?? null });
  } catch (error) {
    // libsecret's and the loader's messages hold no secret; the parent reads them, never prints them.
    answer(request.id, { ok: false, message: error instanceof Error ? error.message.slice(0, 300) : 'unknown error' });
  }
});
