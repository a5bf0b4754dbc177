/**
 * Every Pocket CLI command, in-process through main(argv, io), against the embedded emulator with
 * the real keychain (gnome-keyring under the test bus). There is no DISPLAY, so the CLI only
 * prints the authorization URL; the test plays the browser against an auto-approving emulator.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../src/cli/registry.js';
import {
  DEMO_ITEMS,
  startPocketEmulator,
  type EmulatorLogEvent,
  type PocketEmulator,
} from '../../src/pocket/emulator/index.js';
import { cliSandbox, followLikeABrowser, keychainEntries, runLoginVisiting, type CliSandbox } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function emulatorFor(
  t: Parameters<typeof cliSandbox>[0],
  options: Parameters<typeof startPocketEmulator>[0] = {},
): Promise<PocketEmulator> {
  const emulator = await startPocketEmulator({ approval: 'auto-approve', ...options });
  t.teardown(() => emulator.close());
  return emulator;
}

function loginAuto(sandbox: CliSandbox, argv: string[]) {
  return runLoginVisiting(sandbox, ['login', ...argv], followLikeABrowser);
}

/** The table's item rows (header and the "N items." line excluded). */
function tableIds(stdout: string): string[] {
  const [header, ...rows] = stdout.trimEnd().split('\n');
  if (!header?.startsWith('ID')) throw new Error(`no table header in ${stdout}`);
  return rows.filter(Boolean).map((row) => row.split(/\s+/)[0]!);
}

// Every in-process login handles Ctrl-C while it runs; none may leave its handler behind.
const signalListeners = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
const listenersAtStart = signalListeners();
test.after('no Ctrl-C handler is left behind by any command', (t) => {
  t.deepEqual(signalListeners(), listenersAtStart);
});

const byNewest = [...DEMO_ITEMS].sort((a, b) => Number(b.time_added) - Number(a.time_added)).map((i) => i.item_id);

test('a whole session: login, status, items, add, archive, logout, with no secret ever printed', async (t) => {
  const emulator = await emulatorFor(t);
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });

  // login: the URL on stderr, the test's "browser" follows it, the CLI ends logged in.
  const login = await loginAuto(sb, ['--base-url', emulator.url]);
  t.is(login.code, 0, login.stderr);
  t.is(login.stdout, 'Logged in to Pocket as demo. Token kept in the system keychain (Secret Service).\n');
  t.truthy(login.url);
  t.deepEqual(
    login.visited?.hops.map((h) => new URL(h).pathname),
    ['/auth/authorize', '/callback'],
  );
  t.regex(login.visited?.body ?? '', /Login complete/);
  const profilePath = join(sb.env['AUTHMACHINE_CONFIG_DIR']!, 'profiles', 'default.json');
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as Record<string, unknown>;
  t.like(profile, { provider: 'pocket', baseUrl: emulator.url, store: 'keychain' });
  t.is(statSync(profilePath).mode & 0o777, 0o600);
  t.false(readFileSync(profilePath, 'utf8').includes(emulator.consumerKey));
  const entries = await keychainEntries(sb.service);
  t.deepEqual(entries.map((e) => e.account.split(':')[0]).sort(), ['pocket', 'pocket-consumer-key']);
  const accessToken = (
    JSON.parse(entries.find((e) => e.account.startsWith('pocket:'))!.password) as { token: { accessToken: string } }
  ).token.accessToken;
  t.is(accessToken.length, 30);

  // A second login reuses the stored one: no URL, no browser.
  const again = await sb.run(['login', '--base-url', emulator.url, '--json']);
  t.is(again.code, 0);
  t.like(JSON.parse(again.stdout), { provider: 'pocket', username: 'demo', reused: true });
  t.notRegex(again.stderr, /auth\/authorize/);

  const status = await sb.run(['status']);
  t.is(status.code, 0);
  t.is(
    status.stdout,
    `Logged in to Pocket at ${emulator.url} as demo. Token kept in the system keychain (Secret Service).\n`,
  );
  const statusJson = await sb.run(['status', '--json', '--profile', 'default']);
  t.is(statusJson.code, 0);
  t.deepEqual(JSON.parse(statusJson.stdout), {
    loggedIn: true,
    profile: 'default',
    provider: 'pocket',
    username: 'demo',
    store: 'the system keychain (Secret Service)',
    expiresAt: null,
    refreshable: false,
  });

  // items: the table, --count, filters, --json (Pocket's strings), --ndjson.
  const table = await sb.run(['items']);
  t.is(table.code, 0);
  t.deepEqual(tableIds(table.stdout), byNewest);
  t.regex(table.stdout, /From Idea to 4M Page Views in 4\u00a0Weeks/);
  t.is(table.stderr, '10 items.\n');
  t.deepEqual(tableIds((await sb.run(['items', '--count', '3'])).stdout), byNewest.slice(0, 3));
  t.deepEqual(tableIds((await sb.run(['items', '--count', '2', '--offset', '3'])).stdout), byNewest.slice(3, 5));
  t.deepEqual(tableIds((await sb.run(['items', '--sort', 'oldest', '--count', '1'])).stdout), [byNewest.at(-1)]);
  t.deepEqual(tableIds((await sb.run(['items', '--domain', 'auth0.com'])).stdout).sort(), ['1519049132', '1616406703']);
  t.deepEqual(tableIds((await sb.run(['items', '--favorite'])).stdout), []);
  t.deepEqual(tableIds((await sb.run(['items', '--content-type', 'video'])).stdout).sort(), [
    '1859670338',
    '2007245672',
  ]);

  const json = await sb.run(['items', '--json', '--count', '2']);
  t.is(json.code, 0);
  const raw = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
  t.deepEqual(
    raw.map((i) => i['item_id']),
    byNewest.slice(0, 2),
  );
  t.is(raw[0]!['favorite'], '0');
  t.is(raw[0]!['time_added'], '1514494606');
  t.is(raw[0]!['word_count'], '1837');

  const ndjson = await sb.run(['items', '--ndjson']);
  const lines = ndjson.stdout.trimEnd().split('\n');
  t.is(lines.length, 10);
  t.deepEqual(
    lines.map((l) => (JSON.parse(l) as { item_id: string }).item_id),
    byNewest,
  );
  t.is(ndjson.stderr, '');

  // add: then items shows it (newest first, with its tags), also by tag and by search.
  const added = await sb.run([
    'add',
    'https://example.com/state-machines',
    '--title',
    'State machines for logins',
    '--tags',
    'auth, reading',
  ]);
  t.is(added.code, 0, added.stderr);
  const newId = /as item (\d+)\.$/m.exec(added.stdout)?.[1];
  t.truthy(newId);
  const withNew = await sb.run(['items', '--count', '1']);
  t.deepEqual(tableIds(withNew.stdout), [newId]);
  t.regex(withNew.stdout, /State machines for logins\n/);
  // Pocket sends tags only with detailType=complete.
  t.regex(
    (await sb.run(['items', '--count', '1', '--complete'])).stdout,
    /State machines for logins {2}\[auth, reading\]/,
  );
  t.deepEqual(tableIds((await sb.run(['items', '--tag', 'reading'])).stdout), [newId]);
  t.deepEqual(tableIds((await sb.run(['items', '--search', 'State machines'])).stdout), [newId]);
  const addJson = await sb.run(['add', 'https://example.com/other', '--json']);
  t.is(addJson.code, 0);
  t.is(typeof (JSON.parse(addJson.stdout) as { item_id: unknown }).item_id, 'string');

  // archive: gone from unread, present in archive; an unknown id exits 1 and says why.
  const archived = await sb.run(['archive', newId!]);
  t.is(archived.code, 0);
  t.is(archived.stdout, `Archived ${newId}.\n`);
  t.false(tableIds((await sb.run(['items', '--count', '100'])).stdout).includes(newId!));
  t.deepEqual(tableIds((await sb.run(['items', '--state', 'archive'])).stdout), [newId]);
  const unknown = await sb.run(['archive', '999', '--json']);
  t.is(unknown.code, 1);
  t.deepEqual(JSON.parse(unknown.stdout), [{ itemId: '999', archived: false, error: 'Item not found.' }]);
  const unknownText = await sb.run(['archive', '999']);
  t.is(unknownText.stdout, 'Could not archive 999: Item not found.\n');

  // logout: the token and the key are gone; status and items now say "log in" (exit 3).
  const logout = await sb.run(['logout']);
  t.is(logout.code, 0);
  t.regex(logout.stdout, /^Logged out of Pocket/);
  t.deepEqual(await keychainEntries(sb.service), []);
  t.false(existsSync(profilePath));
  const after = await sb.run(['status']);
  t.is(after.code, 3);
  t.is((await sb.run(['status', '--json'])).stdout, '{"loggedIn":false,"logins":[]}\n');
  const items = await sb.run(['items']);
  t.is(items.code, 3);
  t.regex(items.stderr, /Not logged in\. Run `authmachine login`/);
  t.is((await sb.run(['logout'])).stdout, 'Not logged in; nothing to do.\n');

  const everything = sb.printed.join('\n');
  t.false(everything.includes(emulator.consumerKey), 'the consumer key was printed');
  t.false(everything.includes(accessToken), 'the access token was printed');
});

test('--consumer-key-file, and --all pages a 2,345-item list 500 at a time: each id exactly once', async (t) => {
  const gets: EmulatorLogEvent[] = [];
  const emulator = await emulatorFor(t, { syntheticItems: 2345, log: (e) => e.path === '/v3/get' && gets.push(e) });
  const sb = cliSandbox(t);
  const keyFile = join(sb.dir, 'consumer-key');
  writeFileSync(keyFile, `${emulator.consumerKey}\n`, { mode: 0o600 });
  const login = await loginAuto(sb, ['--base-url', emulator.url, '--consumer-key-file', keyFile]);
  t.is(login.code, 0, login.stderr);

  gets.length = 0;
  const all = await sb.run(['items', '--all', '--ndjson', '--page-size', '500']);
  t.is(all.code, 0, all.stderr);
  const lines = all.stdout.trimEnd().split('\n');
  t.is(lines.length, 2345);
  const ids = lines.map((l) => (JSON.parse(l) as { item_id: string }).item_id);
  t.is(new Set(ids).size, 2345);
  t.is(ids[0], '4000000000');
  t.is(ids.at(-1), '4000002344');
  t.is(gets.length, 6, 'four full pages, a short one, and the empty one that ends it');

  const json = await sb.run(['items', '--all', '--json', '--page-size', '1000']);
  t.is((JSON.parse(json.stdout) as unknown[]).length, 2345);
  const table = await sb.run(['items', '--all']);
  t.is(tableIds(table.stdout).length, 2345);
  t.is(table.stderr, '2345 items.\n');
  t.false(sb.printed.join('\n').includes(emulator.consumerKey));
});

test('items --all against a server that caps a page at 30: all 75 items in every format, paged past short pages', async (t) => {
  const gets: EmulatorLogEvent[] = [];
  const emulator = await emulatorFor(t, {
    syntheticItems: 75,
    pageCap: 30,
    log: (e) => e.path === '/v3/get' && gets.push(e),
  });
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });
  const login = await loginAuto(sb, ['--base-url', emulator.url]);
  t.is(login.code, 0, login.stderr);
  gets.length = 0;
  const ndjson = await sb.run(['items', '--all', '--ndjson']);
  t.is(ndjson.code, 0, ndjson.stderr);
  const ids = ndjson.stdout
    .trimEnd()
    .split('\n')
    .map((line) => (JSON.parse(line) as { item_id: string }).item_id);
  t.is(new Set(ids).size, 75);
  t.is(gets.length, 4, '30 + 30 + 15, then the empty page');
  t.is((JSON.parse((await sb.run(['items', '--all', '--json'])).stdout) as unknown[]).length, 75);
  const table = await sb.run(['items', '--all', '--page-size', '50']);
  t.is(tableIds(table.stdout).length, 75);
  t.is(table.stderr, '75 items.\n');
  // Without --all one page is one answer: the server's cap decides.
  t.is((JSON.parse((await sb.run(['items', '--json', '--count', '50'])).stdout) as unknown[]).length, 30);
});

test('a failing items command leaves nothing half-done on stdout: no lone "[", no table header, whole ndjson lines', async (t) => {
  const emulator = await emulatorFor(t, {
    syntheticItems: 75,
    pageCap: 30,
    log: (e) => {
      // The first page is answered; every later one gets a proxy's HTML page.
      if (e.path === '/v3/get' && e.status === 200 && emulator.pendingFaults('/v3/get') === 0)
        emulator.failNext('/v3/get', { html: true }, { times: 20 });
    },
  });
  const sb = cliSandbox(t, { AUTHMACHINE_POCKET_CONSUMER_KEY: emulator.consumerKey });
  const login = await loginAuto(sb, ['--base-url', emulator.url]);
  t.is(login.code, 0, login.stderr);
  for (const format of ['--json', '--ndjson', null] as const) {
    emulator.clearFaults();
    const result = await sb.run(['items', '--all', ...(format ? [format] : [])]);
    t.not(result.code, 0, `${format}: ${result.stderr}`);
    t.regex(result.stderr, /ERR_BAD_RESPONSE/);
    if (format === '--json') t.is(result.stdout, '');
    else if (format === '--ndjson') {
      t.true(result.stdout.endsWith('\n'));
      for (const line of result.stdout.trimEnd().split('\n')) t.notThrows(() => JSON.parse(line));
    } else t.true(result.stdout === '' || result.stdout.endsWith('\n'));
  }
  emulator.failNext('/v3/get', { html: true }, { times: 20 });
  const first = await sb.run(['items', '--json']);
  t.is(first.stdout, '');
  const table = await sb.run(['items']);
  t.is(table.stdout, '', 'no table header for a table that never came');
});

test('demo: the ten articles, exit 0, no prompt, the token in the keychain under the test bus and deleted after', async (t) => {
  const sb = cliSandbox(t);
  const demo = await sb.run(['demo']);
  t.is(demo.code, 0, demo.stderr);
  const titles = DEMO_ITEMS.map((i) => String(i.resolved_title));
  for (const title of titles) t.true(demo.stdout.includes(title.slice(0, 30)), title);
  t.is(tableIds(demo.stdout).length, 10);
  t.regex(demo.stderr, /token kept in the system keychain \(Secret Service\)/);
  t.notRegex(demo.stderr, /No system keychain/);
  t.regex(demo.stderr, /Demo token deleted from the system keychain/);
  t.deepEqual(await keychainEntries(sb.service), []);
  const json = await sb.run(['demo', '--json']);
  t.is(json.code, 0);
  t.is((JSON.parse(json.stdout) as unknown[]).length, 10);
});

test('demo on a fresh headless machine (no display, no keychain, no terminal): exit 0, memory store said out loud, no prompt', async (t) => {
  const sb = cliSandbox(t);
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/cli-main.ts', 'demo'], {
    cwd: root,
    // Nothing of the test bus: a machine with no Secret Service at all. stdin is closed: a prompt would fail.
    env: {
      PATH: process.env['PATH'],
      HOME: sb.dir,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/authmachine-bus',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.is(code, 0, stderr);
  t.is(tableIds(stdout).length, 10);
  t.regex(stderr, /No system keychain is reachable here, so the demo keeps its token in memory for this run\./);
  t.regex(stderr, /10 articles\. Demo token deleted from memory/);
});

test('--version', async (t) => {
  const sb = cliSandbox(t);
  const version = await sb.run(['--version']);
  t.is(version.code, 0);
  t.is(
    version.stdout,
    `${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`,
  );
});

test('--help for the top level and every command: exit 0, every option named', async (t) => {
  const sb = cliSandbox(t);
  const top = await sb.run(['--help']);
  t.is(top.code, 0);
  t.regex(top.stdout, /^authmachine - /);
  for (const name of ['demo', 'login', 'status', 'logout', 'items', 'add', 'archive', 'emulator'])
    t.regex(top.stdout, new RegExp(`\\n  ${name} +\\S`));
  t.regex(top.stdout, /Exit codes:/);
  const bare = await sb.run([]);
  t.is(bare.code, 2);
  t.is(bare.stdout, top.stdout);

  for (const entry of COMMANDS.filter((c) => !['call', 'inspect'].includes(c.name))) {
    const command = await entry.load();
    for (const argv of [
      [entry.name, '--help'],
      [entry.name, '-h'],
      ['help', entry.name],
    ]) {
      const help = await sb.run(argv);
      t.is(help.code, 0, argv.join(' '));
      t.true(help.stdout.startsWith(`Usage: authmachine ${entry.name}`), argv.join(' '));
      for (const option of Object.keys(command.options))
        t.true(help.stdout.includes(`--${option}`), `${entry.name} --help names --${option}`);
      t.is(help.stderr, '');
    }
  }
});

test('usage errors exit 2 with a pointer to --help', async (t) => {
  const sb = cliSandbox(t);
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"\.\nSee `authmachine --help`\./],
    [['items', '--bogus'], /Unknown option '--bogus'.*\nSee `authmachine items --help`/],
    [['items', '--state', 'weird'], /--state must be one of unread, archive, all\./],
    [['items', '--count', 'many'], /--count takes a whole number of at least 1\./],
    [['items', '--count', '0'], /at least 1/],
    [['items', '--json', '--ndjson'], /choose one of --json and --ndjson/],
    [['items', 'extra'], /unexpected argument "extra"/],
    [['add'], /missing <url>/],
    [['add', 'example.com'], /must start with http:\/\/ or https:\/\//],
    [['archive', 'abc'], /"abc" is not an item id/],
    [['status', '--json=yes'], /--json/],
    [['login', '--timeout', '0'], /--timeout takes a positive number of seconds/],
    [['login', '--timeout', '-5'], /--timeout takes a positive number of seconds/],
    [['login', '--timeout', '1e3'], /--timeout takes a positive number of seconds/],
    [['login', '--timeout'], /--timeout needs a value/],
    [['items', '--count', '-3'], /--count takes a whole number of at least 1/],
    [['items', '--offset', '-1'], /--offset takes a whole number of at least 0/],
    [['items', '--page-size', '0x10'], /--page-size takes a whole number of at least 1/],
    [['items', '--since', ' '], /--since takes a whole number of at least 0/],
    [['emulator', '--port', '-1'], /--port takes a whole number from 0 to 65535/],
    [['emulator', '--items', '-2'], /--items takes a whole number of at least 0/],
    [['emulator', '--page-cap', '0'], /--page-cap takes a whole number of at least 1/],
    [['inspect', '--port', '-8'], /--port takes a whole number from 0 to 65535/],
    [['login', '--store', 'cloud'], /--store must be one of keychain, file, memory/],
    [['login', '--token-file', '/tmp/x'], /--token-file goes with --store file/],
    [['login'], /AUTHMACHINE_POCKET_CONSUMER_KEY or pass --consumer-key-file/],
    [['login', '--consumer-key-file', '/nonexistent/key'], /Could not read the consumer key file/],
    [['demo', '--browser', '--simulate'], /choose one of --browser and --simulate/],
    [['emulator', '--port', '70000'], /--port takes a whole number from 0 to 65535/],
    [['emulator', '--approval', 'maybe'], /--approval must be one of page, auto-approve, auto-decline/],
  ];
  for (const [argv, message] of cases) {
    const result = await sb.run(argv);
    t.is(result.code, 2, argv.join(' '));
    t.regex(result.stderr, message, argv.join(' '));
    t.notRegex(result.stderr, /ambiguous|argument missing|Did you forget/, argv.join(' '));
    t.regex(result.stderr, /See `authmachine .*--help`/, argv.join(' '));
    t.is(result.stdout, '', argv.join(' '));
  }
});

test('`authmachine emulator --items 75 --page-cap 30` in a child process: log in against it, items --all gets all 75, Ctrl-C stops it and removes the key file', async (t) => {
  const sb = cliSandbox(t);
  const keyFile = join(sb.dir, 'emulator-key');
  const argv = [
    'emulator',
    '--port',
    '0',
    '--approval',
    'auto-approve',
    '--key-file',
    keyFile,
    '--items',
    '75',
    '--page-cap',
    '30',
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/cli-main.ts', ...argv], {
    cwd: root,
    env: { ...process.env, ...sb.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Ctrl-C to stop.')) resolve();
    });
    void exited.then(() => reject(new Error(`emulator exited early: ${stderr}`)));
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(stdout)?.[1];
  t.truthy(url);
  t.true(stdout.includes(`Consumer key written to ${keyFile}`));
  t.is(statSync(keyFile).mode & 0o777, 0o600);
  const consumerKey = readFileSync(keyFile, 'utf8').trim();
  t.false(stdout.includes(consumerKey), 'the emulator printed its consumer key');

  const login = await loginAuto(sb, ['--base-url', url!, '--consumer-key-file', keyFile]);
  t.is(login.code, 0, login.stderr);
  const page = await sb.run(['items', '--json', '--count', '100']);
  t.is((JSON.parse(page.stdout) as unknown[]).length, 30, 'one answer holds at most --page-cap items');
  const items = await sb.run(['items', '--all', '--json']);
  t.is((JSON.parse(items.stdout) as unknown[]).length, 75);

  child.kill('SIGINT');
  t.is(await exited, 0);
  t.false(existsSync(keyFile));
  t.regex(stderr, /Emulator stopped\./);
  // The server is gone: data calls now fail as unreachable (exit 6).
  const gone = await sb.run(['items']);
  t.is(gone.code, 6);
});

test('emulator on a busy port: ERR_LISTENER naming EADDRINUSE, exit 9 like inspect, nothing on stdout', async (t) => {
  const busy = await emulatorFor(t);
  const sb = cliSandbox(t);
  for (const command of ['emulator', 'inspect']) {
    const result = await sb.run([
      command,
      '--port',
      String(busy.port),
      ...(command === 'emulator' ? ['--key-file', join(sb.dir, 'k')] : []),
    ]);
    t.is(result.code, 9, `${command}: ${result.stderr}`);
    t.regex(result.stderr, /could not listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\).*ERR_LISTENER/, command);
    t.regex(result.stderr, /another program is using the port/i, command);
    t.is(result.stdout, '', command);
  }
});
