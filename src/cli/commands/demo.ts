import type { TokenStore } from '../../../adapters/contracts.js';
import { isAuthError } from '../../../adapters/errors.js';
import { SystemBrowserOpener } from '../../../adapters/browser-open.js';
import { type Command, UsageError } from '../command.js';
import { EXIT } from '../output/exit-codes.js';
import { hasDisplay, SimulatedBrowser } from '../flows/browser.js';
import { inspectOption } from '../options/inspect.js';
import { type CliIO, write } from '../output/io.js';
import { itemRow, TABLE_HEADER } from '../output/item-table.js';
import { pocketFlow } from '../flows/pocket.js';
import { runLogin } from '../login/run.js';
import { openStore, parseStoreKind } from '../storage/stores.js';

/** The keychain when there is one; otherwise memory, said out loud (a demo token dies with the demo). */
async function demoStore(requested: ReturnType<typeof parseStoreKind>, io: CliIO): Promise<TokenStore> {
  if (requested) return openStore(requested, undefined, io.env);
  const keychain = openStore('keychain', undefined, io.env);
  try {
    await keychain.probe?.();
    return keychain;
  } catch (error) {
    if (!isAuthError(error) || (error.code !== 'ERR_STORAGE_UNAVAILABLE' && error.code !== 'ERR_STORAGE')) throw error;
    io.stderr.write(
      'No system keychain is reachable here, so the demo keeps its token in memory for this run.\n' +
        '(A real `authmachine login` never falls back on its own: it stops and asks for --store file.)\n',
    );
    return openStore('memory', undefined, io.env);
  }
}

export const demo: Command = {
  name: 'demo',
  usage: 'authmachine demo [--browser | --simulate] [--store keychain|memory] [--inspect] [--json]',
  details: [
    'Starts the built-in Pocket emulator on 127.0.0.1 and runs the whole login machine against it:',
    'request token, the approval page, the loopback redirect, the exchange, the token saved to the',
    'system keychain, and the first authenticated call, which lists the ten demo articles.',
    'With a display, your browser opens and you click Approve. Without one (a server, SSH, CI) the',
    'emulator approves on your behalf and a built-in client follows the redirect, as announced.',
    'The demo token is deleted at the end: the emulator stops with the demo.',
  ].join('\n'),
  options: {
    browser: { type: 'boolean', description: 'Use your real browser and click Approve yourself' },
    simulate: { type: 'boolean', description: 'Simulated approval even when a display is available' },
    store: {
      type: 'string',
      valueName: 'keychain|memory',
      description: 'Where the demo token goes (default: keychain, memory if there is none)',
    },
    inspect: { type: 'boolean', description: 'Watch the flow live in the local inspector page' },
    json: { type: 'boolean', description: "Print Pocket's raw items as JSON instead of a table" },
  },
  examples: ['authmachine demo', 'authmachine demo --browser', 'authmachine demo --inspect'],
  async run(args, io) {
    if (args.values['browser'] && args.values['simulate'])
      throw new UsageError('choose one of --browser and --simulate.', 'demo');
    const requested = parseStoreKind(args.values['store']);
    if (requested === 'file')
      throw new UsageError('the demo keeps its throwaway token in the keychain or memory, not a file.', 'demo');
    const simulate = Boolean(args.values['simulate']) || (!args.values['browser'] && !hasDisplay(io));
    const { startPocketEmulator } = await import('../../pocket/emulator/index.js');
    const emulator = await startPocketEmulator({ approval: simulate ? 'auto-approve' : 'page' });
    io.stderr.write(`Started the Pocket emulator at ${emulator.url} (demo account "${emulator.username}").\n`);
    if (simulate) {
      io.stderr.write(
        'No display here: the emulator will approve on your behalf (simulated approval), and a built-in\n' +
          "client plays the browser, following the redirect back to this login's loopback listener.\n",
      );
    }
    const inspect = await inspectOption(io, { enabled: Boolean(args.values['inspect']) });
    const store = await demoStore(requested, io);
    const { flow } = pocketFlow(
      {
        baseUrl: emulator.url,
        consumerKey: emulator.consumerKey,
        store,
        browser: simulate ? new SimulatedBrowser() : new SystemBrowserOpener(),
        ...(inspect.observer ? { inspect: inspect.observer } : {}),
      },
      io,
    );
    try {
      const result = await runLogin(flow, io, {
        providerName: 'Pocket',
        force: true,
        opener: simulate ? 'simulated' : 'browser',
      });
      io.stderr.write(
        `Logged in as ${result.username ?? 'unknown'}; token kept in ${store.location}.\nFetching your articles...\n`,
      );
      const answer = await flow.fetch({ kind: 'get', params: { contentType: 'article', count: 10, sort: 'newest' } });
      const items = answer.result.items;
      if (args.values['json'])
        await write(
          io.stdout,
          `${JSON.stringify(
            items.map((i) => i.raw),
            null,
            2,
          )}\n`,
        );
      else await write(io.stdout, `${TABLE_HEADER}\n${items.map((i) => itemRow(i, 100)).join('\n')}\n`);
      await flow.logout();
      io.stderr.write(`${items.length} articles. Demo token deleted from ${store.location}.\n`);
      await inspect.finish();
      return EXIT.ok;
    } finally {
      flow.stop();
      await emulator.close();
    }
  },
};
