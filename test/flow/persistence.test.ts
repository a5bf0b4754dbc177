import test from 'ava';
import { execFileSync } from 'node:child_process';

const run = (script: string, stdin = '') =>
  execFileSync(process.execPath, ['--import=tsx', `test/fixtures/${script}`], {
    input: stdin,
    encoding: 'utf8',
    timeout: 30_000,
  });

test('a flow persisted in awaitingUser resumes in a new process and finishes when the callback arrives', (t) => {
  const started = JSON.parse(run('persist-start.ts'));
  const snapshot = started.snapshot;
  t.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot, 'the persisted snapshot is plain JSON');
  t.deepEqual(snapshot.value, { signingIn: { awaitingUser: 'waitingForRedirect' } });
  const state = new URL(started.authorizationUrl).searchParams.get('state');
  t.truthy(state);

  const resumed = JSON.parse(
    run('persist-resume.ts', JSON.stringify({ snapshot, params: { state, code: 'good-code' } })),
  );
  t.is(resumed.before, JSON.stringify({ signingIn: { awaitingUser: 'waitingForRedirect' } }));
  t.is(resumed.after, 'authorized');
  t.deepEqual(resumed.result, { path: '/me', user: 'fake-user' });
  t.true(resumed.stored, 'the token was saved by the resumed process');
});

test('a resumed flow still refuses a callback with the wrong state', (t) => {
  const { snapshot } = JSON.parse(run('persist-start.ts'));
  const result = JSON.parse(
    run('persist-resume.ts', JSON.stringify({ snapshot, params: { state: 'forged', code: 'good-code' } })),
  );
  t.is(result.after, 'waiting');
  t.is(result.strays, 1);
});
