/**
 * scripts/install-system-deps.sh runs apt-get itself as root (where there may be no sudo at all)
 * and through sudo as another user. Checked with stand-ins for id, dpkg, apt-get and sudo on a
 * PATH that holds nothing else, so nothing is installed and the real system is not touched.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/install-system-deps.sh', import.meta.url));

function run(uid: number, withSudo: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'install-deps-'));
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  mkdirSync(bin);
  for (const tool of ['env', 'tee', 'chmod', 'rm']) {
    const real = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(real, join(bin, tool));
  }
  stub('id', `echo ${uid}`);
  stub('dpkg', 'exit 1'); // every package missing
  stub('apt-get', `echo "apt-get $* (uid-as-seen: $AS_ROOT)" >> ${log}`);
  if (withSudo) stub('sudo', `echo "sudo $1" >> ${log}; AS_ROOT=sudo "$@"`);
  const policy = join(dir, 'policy-rc.d');
  const result = spawnSync('/bin/bash', [script], {
    encoding: 'utf8',
    env: { PATH: bin, AS_ROOT: 'direct', AUTHMACHINE_POLICY_RC: policy },
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  rmSync(dir, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr, calls, policyLeft: existsSync(policy) };
}

test('as root with no sudo installed, apt-get runs directly', (t) => {
  const r = run(0, false);
  t.is(r.status, 0, r.stderr);
  t.is(r.calls.length, 2);
  t.regex(r.calls[0]!, /^apt-get update -q \(uid-as-seen: direct\)$/);
  t.regex(
    r.calls[1]!,
    /^apt-get install -y -q --no-install-recommends dbus .*redis-server .*tinyproxy.*\(uid-as-seen: direct\)$/,
  );
  t.false(r.policyLeft, 'the temporary no-service-start policy is removed');
});

test('as another user, every privileged step goes through sudo', (t) => {
  const r = run(1000, true);
  t.is(r.status, 0, r.stderr);
  t.true(r.calls.filter((c) => c.startsWith('apt-get')).every((c) => c.endsWith('(uid-as-seen: sudo)')));
  t.deepEqual(
    r.calls.filter((c) => c.startsWith('sudo')),
    ['sudo apt-get', 'sudo tee', 'sudo chmod', 'sudo env', 'sudo rm'],
  );
});

test('as another user without sudo, one line says what to do', (t) => {
  const r = run(1000, false);
  t.is(r.status, 1);
  t.deepEqual(r.calls, []);
  t.regex(r.stderr.trim(), /^Installing dbus .* needs root: run this script as root, or install sudo\.$/);
});
