/**
 * keytar in a child process, for the CLI. A keychain call that never returns (a hung Secret
 * Service, an unanswered unlock prompt) blocks a libuv worker thread for good, and Node's exit
 * waits for that thread: in-process, such a call would keep the CLI alive forever after it had
 * reported the failure. In a child, the call hangs there; the CLI exits and kills the child.
 * The child is started on the first call and does not keep the CLI alive while idle.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { extname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { KeytarLike } from '../../../adapters/keytar-store.js';

type Helper = ChildProcessByStdio<Writable, Readable, null>;
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** Sibling module, .ts under tsx (tests), .js in the build. */
function helperPath(): string {
  const self = fileURLToPath(import.meta.url);
  return self.slice(0, -extname(self).length).replace(/keychain-process$/, 'keychain-helper') + extname(self);
}

/**
 * A KeytarLike whose calls run in a helper child. `ready()` starts the helper and resolves once
 * it has loaded keytar, so that start-up (slow on a loaded machine) is not counted against the
 * deadline of a keychain call. The helper gets this process's environment (the D-Bus session).
 */
/** The loader options of this process (tsx under tests), without -e/-p code or other flags. */
function loaderArgs(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = argv[i + 1];
    if (/^--(import|require|loader|experimental-loader)=/.test(arg)) out.push(arg);
    else if (/^--(import|require|loader|experimental-loader)$/.test(arg) && value !== undefined) {
      out.push(arg, value);
      i++;
    }
  }
  return out;
}

export function processKeytar(): KeytarLike & { ready(): Promise<void> } {
  let helper: Helper | undefined;
  let readyPromise: Promise<void> | undefined;
  let signalReady: (() => void) | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const handles = () => (helper ? [helper, helper.stdin, helper.stdout] : []) as Array<{ ref(): void; unref(): void }>;
  /** While a call is pending the helper keeps the CLI alive; idle, it does not. */
  const hold = () => {
    for (const handle of handles()) handle.ref();
  };
  const release = () => {
    for (const handle of handles()) handle.unref();
  };

  const start = (): Helper => {
    const child = spawn(process.execPath, [...loaderArgs(), helperPath()], { stdio: ['pipe', 'pipe', 'ignore'] });
    readyPromise = new Promise<void>((resolve) => (signalReady = resolve));
    const killChild = () => child.kill('SIGKILL');
    process.once('exit', killChild);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let message: { id: number; ok: boolean; value?: unknown; message?: string; ready?: boolean };
      try {
        message = JSON.parse(line);
      } catch {
        return;
      }
      if (message.ready) {
        if (pending.size === 0) release();
        return signalReady?.();
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (pending.size === 0) release();
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(message.message ?? 'keychain call failed'));
    });
    child.on('exit', () => {
      process.removeListener('exit', killChild);
      helper = undefined;
      signalReady?.(); // the pending calls below carry the failure
      for (const waiter of pending.values()) waiter.reject(new Error('the keychain helper process ended'));
      pending.clear();
    });
    child.on('error', () => {}); // reported through 'exit' and the pending calls
    child.stdin.on('error', () => {});
    return child;
  };

  const call = (
    op: 'get' | 'set' | 'delete',
    service: string,
    account: string,
    password?: string,
  ): Promise<unknown> => {
    helper ??= start();
    const id = nextId++;
    const result = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
    hold();
    helper.stdin.write(`${JSON.stringify({ id, op, service, account, password })}\n`);
    return result;
  };

  return {
    ready: async () => {
      helper ??= start();
      hold();
      await readyPromise;
    },
    getPassword: (service, account) => call('get', service, account) as Promise<string | null>,
    setPassword: (service, account, password) => call('set', service, account, password).then(() => undefined),
    deletePassword: (service, account) => call('delete', service, account) as Promise<boolean>,
  };
}
