import { type Command, UsageError } from '../command.js';
import { JSON_OPTION, PROFILE_OPTION } from '../options/common.js';
import { EXIT } from '../output/exit-codes.js';
import { write } from '../output/io.js';
import { withStoredPocket } from '../flows/stored-pocket.js';

export const add: Command = {
  name: 'add',
  usage: 'authmachine add <url> [--title TEXT] [--tags a,b]',
  positionals: { name: 'url', min: 1, max: 1 },
  details: [
    'Uses the stored Pocket login and never opens a browser: with none, or one Pocket refuses, it exits 3',
    'and says the login command to run (with --profile NAME for a profile other than the default).',
  ].join('\n'),
  options: {
    ...PROFILE_OPTION,
    title: { type: 'string', valueName: 'text', description: 'Title to save it under' },
    tags: { type: 'string', valueName: 'a,b,c', description: 'Comma-separated tags' },
    ...JSON_OPTION,
  },
  examples: ['authmachine add https://example.com/article --tags reading,later'],
  async run(args, io) {
    const url = args.positionals[0];
    if (url === undefined) throw new UsageError('missing <url>.', 'add');
    if (!/^https?:\/\//i.test(url)) throw new UsageError('the URL must start with http:// or https://.', 'add');
    const tags =
      typeof args.values['tags'] === 'string'
        ? args.values['tags']
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : undefined;
    await withStoredPocket(io, 'add', args.values['profile'], async (flow) => {
      const answer = await flow.fetch({
        kind: 'add',
        url,
        ...(typeof args.values['title'] === 'string' ? { title: args.values['title'] } : {}),
        ...(tags ? { tags } : {}),
      });
      const item = answer.result.item;
      await write(
        io.stdout,
        args.values['json']
          ? `${JSON.stringify(item.raw)}\n`
          : `Saved ${item.normalUrl ?? url} as item ${item.itemId}.\n`,
      );
    });
    return EXIT.ok;
  },
};
