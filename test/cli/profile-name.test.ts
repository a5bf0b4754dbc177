/**
 * A bad profile name, from --profile or from $AUTHMACHINE_PROFILE, is refused the same way by
 * every command that takes --profile: exit 2, a message naming the command that was run and
 * where the name came from, what a valid name looks like, and that command's --help.
 */
import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-run.js';

/** Each command that takes --profile, with arguments that pass its own checks. */
const COMMANDS: Array<[string, ...string[]]> = [
  ['login'],
  ['logout'],
  ['status'],
  ['token'],
  ['call', 'http://127.0.0.1:9/me'],
  ['items'],
  ['add', 'https://example.com/a'],
  ['archive', '42'],
];

const BAD = ['../x', '', 'a/b', 'a b', '.hidden', '-x', 'x'.repeat(65), 'tab\there', 'new\nline'];

async function configDir(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'authmachine-profile-name-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const RULE = /A profile name is 1 to 64 letters, digits, "\.", "_" or "-", starting with a letter or digit/;

test('a bad --profile: every command names itself, the flag and the rule', async (t) => {
  const dir = await configDir(t);
  const env = { HOME: dir, AUTHMACHINE_CONFIG_DIR: dir, AUTHMACHINE_PROFILE: 'fine' };
  for (const [command, ...rest] of COMMANDS) {
    for (const name of BAD) {
      const run = await runCli([command, ...rest, '--profile', name], env).result;
      const said = `${command} --profile ${JSON.stringify(name)}: ${run.stderr}`;
      t.is(run.code, 2, said);
      t.true(run.stderr.startsWith(`authmachine: \`authmachine ${command} --profile `), said);
      t.true(run.stderr.includes(JSON.stringify(name.slice(0, 40)).slice(0, -1)), said);
      t.regex(run.stderr, RULE, said);
      t.true(run.stderr.endsWith(`See \`authmachine ${command} --help\`.\n`), said);
      t.notRegex(run.stderr, /AUTHMACHINE_PROFILE/, said);
      t.false(/\n.*\n.*\n/.test(run.stderr), `a name's own newline is escaped: ${said}`);
    }
  }
  t.deepEqual(await readdir(dir), [], 'nothing was written');
});

test('a bad $AUTHMACHINE_PROFILE: every command names itself, the variable and the rule', async (t) => {
  const dir = await configDir(t);
  for (const [command, ...rest] of COMMANDS) {
    for (const name of BAD.filter((n) => n !== '')) {
      const run = await runCli([command, ...rest], {
        HOME: dir,
        AUTHMACHINE_CONFIG_DIR: dir,
        AUTHMACHINE_PROFILE: name,
      }).result;
      const said = `${command} with $AUTHMACHINE_PROFILE=${JSON.stringify(name)}: ${run.stderr}`;
      t.is(run.code, 2, said);
      t.true(run.stderr.startsWith(`authmachine: \`authmachine ${command}\`: $AUTHMACHINE_PROFILE is "`), said);
      t.regex(run.stderr, RULE, said);
      t.regex(run.stderr, /Change or unset \$AUTHMACHINE_PROFILE, or give --profile NAME\./, said);
      t.true(run.stderr.endsWith(`See \`authmachine ${command} --help\`.\n`), said);
    }
  }
});

test('an over-long name is shown cut short, with its length', async (t) => {
  const dir = await configDir(t);
  const run = await runCli(['token', '--profile', 'x'.repeat(5000)], { HOME: dir, AUTHMACHINE_CONFIG_DIR: dir }).result;
  t.is(run.code, 2);
  t.regex(run.stderr, /"x{40}\.\.\." \(5000 characters\)/);
  t.true(run.stderr.length < 600, run.stderr);
});

test('--profile wins over a bad $AUTHMACHINE_PROFILE; an empty one counts as unset', async (t) => {
  const dir = await configDir(t);
  const bad = await runCli(['status', '--profile', 'work'], {
    HOME: dir,
    AUTHMACHINE_CONFIG_DIR: dir,
    AUTHMACHINE_PROFILE: '../x',
  }).result;
  t.is(bad.code, 3, bad.stderr);
  t.regex(bad.stdout, /Not logged in \(profile work\)/);
  const empty = await runCli(['token'], { HOME: dir, AUTHMACHINE_CONFIG_DIR: dir, AUTHMACHINE_PROFILE: '' }).result;
  t.is(empty.code, 3, empty.stderr);
  t.regex(empty.stderr, /Not logged in\. Run `authmachine login`/);
});
