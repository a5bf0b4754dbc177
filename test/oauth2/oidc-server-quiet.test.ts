/** The test OpenID Provider keeps the log readable: its expected warnings are dropped, others kept. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test("oidc-provider's expected warnings do not reach the log; an unexpected one does", async (t) => {
  const fixture = fileURLToPath(new URL('../fixtures/oidc-quiet.ts', import.meta.url));
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
    execFile(process.execPath, ['--import=tsx', fixture], { timeout: 60_000 }, (error, out, err) =>
      error ? reject(error) : resolve({ stdout: out, stderr: err }),
    ),
  );
  t.true(JSON.parse(stdout.trim()).dropped >= 3, 'the filter saw the warnings it drops');
  t.deepEqual(
    stderr.split('\n').filter((line) => line.includes('oidc-provider')),
    ['oidc-provider WARNING: a warning nobody expected'],
  );
});
