/**
 * ioredis is an optional peer dependency: a host on the memory stores imports authmachine/server
 * without it, and createRedisClient says what to install. A resolve hook makes the package
 * missing for one child process, as it is in a project that never installed it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';

const run = promisify(execFile);

test('without ioredis, authmachine/server loads and runs on the memory stores, and createRedisClient says to install it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authmachine-no-ioredis-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `export async function resolve(specifier, context, next) {
  if (specifier === 'ioredis' || specifier.startsWith('ioredis/')) {
    throw Object.assign(new Error("Cannot find package 'ioredis'"), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  const script = join(dir, 'host.mts');
  const source = (path: string) => JSON.stringify(pathToFileURL(join(process.cwd(), path)).href);
  writeFileSync(
    script,
    `import { createLoginService, createRedisClient, MemoryFlowStore, MemoryLock, MemoryTokenStore } from ${source('src/server/index.ts')};
import { createFakeProtocol, nullHttp } from ${source('test/helpers/fake-protocol.ts')};
const logins = createLoginService({
  protocol: createFakeProtocol(),
  http: nullHttp,
  redirectUri: 'http://127.0.0.1:9/callback',
  flows: new MemoryFlowStore(),
  tokens: new MemoryTokenStore(),
  lock: new MemoryLock(),
});
const begun = await logins.begin('ann');
const done = await logins.complete({ state: begun.state, code: 'good-code' });
let refused;
try {
  await createRedisClient({ url: 'redis://127.0.0.1:9', connectTimeoutMs: 200 });
} catch (error) {
  refused = { code: error.code, message: error.message };
}
console.log(JSON.stringify({ userId: done.userId, refused }));
`,
  );
  const { stdout } = await run(process.execPath, ['--import=tsx', `--import=${pathToFileURL(register).href}`, script], {
    timeout: 60_000,
  });
  t.deepEqual(JSON.parse(stdout), {
    userId: 'ann',
    refused: {
      code: 'ERR_CONFIG',
      message:
        'The Redis stores need the ioredis package, a peer dependency of authmachine/server. Install it with: npm install ioredis',
    },
  });
});
