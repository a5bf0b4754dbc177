/**
 * The package as a host gets it: packed with `npm pack`, installed into an empty folder, loaded
 * with both `import` and `require`. Needs the build (scripts/test.sh builds first).
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const host = mkdtempSync(join(tmpdir(), 'authmachine-host-'));
test.after.always(() => rmSync(host, { recursive: true, force: true }));

const exercise = `
  const actor = createActor(authMachine.provide({ actors: {} }), { input: {} }).start();
  actor.send({ type: 'LOGIN', force: true });
  const error = new AuthError('ERR_DECLINED', 'no');
  const s = actor.getSnapshot();
  console.log(JSON.stringify({ state: s.value, why: s.context.error.code, code: error.code, flow: typeof createAuthFlow, retryable: error.retryable }));
  actor.stop();
`;

test.before(() => {
  // --ignore-scripts: no "prepare" rebuild of dist/ while other tests run from it.
  execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', host], { stdio: 'pipe' });
  const tarball = readdirSync(host).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(host, 'package.json'), JSON.stringify({ name: 'host', version: '1.0.0', private: true }));
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${tarball}`, 'xstate', 'ioredis'],
    { cwd: host, stdio: 'pipe' },
  );
});

// A machine with no actors provided runs, and fails with a clear ERR_CONFIG.
const expected = { state: 'failed', why: 'ERR_CONFIG', code: 'ERR_DECLINED', flow: 'function', retryable: false };

test('the packed package loads with import (ESM)', (t) => {
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { authMachine, AuthError, createAuthFlow } from 'authmachine';
    import { createActor } from 'xstate';
    ${exercise}`,
    ],
    { cwd: host, encoding: 'utf8' },
  );
  t.deepEqual(JSON.parse(out), expected);
});

test('the packed package loads with require (CommonJS)', (t) => {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `
    const { authMachine, AuthError, createAuthFlow } = require('authmachine');
    const { createActor } = require('xstate');
    ${exercise}`,
    ],
    { cwd: host, encoding: 'utf8' },
  );
  t.deepEqual(JSON.parse(out), expected);
});

test('the subpath exports load under both module systems', (t) => {
  const esm = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    const pocket = await import('authmachine/pocket');
    const oauth2 = await import('authmachine/oauth2');
    console.log(typeof pocket.getAllItems, typeof oauth2.createOAuth2Protocol);`,
    ],
    { cwd: host, encoding: 'utf8' },
  );
  t.is(esm.trim(), 'function function');
  const cjs = execFileSync(
    process.execPath,
    [
      '-e',
      `
    console.log(typeof require('authmachine/pocket/emulator').startPocketEmulator, typeof require('authmachine/machines').authMachine);`,
    ],
    { cwd: host, encoding: 'utf8' },
  );
  t.is(cjs.trim(), 'function object');
});

test('authmachine/server loads under both module systems (with its peer ioredis)', (t) => {
  const probe = 'typeof m.createLoginService, typeof m.RedisFlowStore, typeof m.RedisLock, typeof m.MemoryFlowStore';
  const esm = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    const m = await import('authmachine/server');
    console.log(${probe});`,
    ],
    { cwd: host, encoding: 'utf8' },
  );
  t.is(esm.trim(), 'function function function function');
  const cjs = execFileSync(
    process.execPath,
    ['-e', `const m = require('authmachine/server'); console.log(${probe});`],
    { cwd: host, encoding: 'utf8' },
  );
  t.is(cjs.trim(), 'function function function function');
});

test('the package ships type declarations for both module systems', (t) => {
  const files = execFileSync('find', ['node_modules/authmachine/dist', '-name', 'index.d.ts'], {
    cwd: host,
    encoding: 'utf8',
  });
  t.true(files.includes('dist/esm/src/index.d.ts'));
  t.true(files.includes('dist/cjs/src/index.d.ts'));
});

test('isAuthError tells an AuthError from either build, where instanceof cannot', (t) => {
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { createRequire } from 'node:module';
    const esm = await import('authmachine');
    const cjs = createRequire(process.cwd() + '/')('authmachine');
    const fromEsm = new esm.AuthError('ERR_DECLINED', 'no');
    const fromCjs = new cjs.AuthError('ERR_DECLINED', 'no');
    console.log(JSON.stringify({
      twoClasses: esm.AuthError !== cjs.AuthError,
      instanceofAcross: fromCjs instanceof esm.AuthError,
      esmSeesCjs: esm.isAuthError(fromCjs),
      cjsSeesEsm: cjs.isAuthError(fromEsm),
      byCode: esm.isAuthError(fromCjs, 'ERR_DECLINED'),
      otherCode: esm.isAuthError(fromCjs, 'ERR_TIMEOUT'),
      lookAlike: esm.isAuthError({ name: 'AuthError', code: 'ERR_DECLINED', message: 'no', retryable: false }),
      keptAsIs: esm.toAuthError(fromCjs) === fromCjs,
    }));`,
    ],
    { cwd: host, encoding: 'utf8' },
  );
  t.deepEqual(JSON.parse(out), {
    twoClasses: true,
    instanceofAcross: false,
    esmSeesCjs: true,
    cjsSeesEsm: true,
    byCode: true,
    otherCode: false,
    lookAlike: false,
    keptAsIs: true,
  });
});
