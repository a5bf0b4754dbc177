import { type Command, UsageError } from '../command.js';
import { JSON_OPTION, PROFILE_OPTION } from '../options/common.js';
import { EXIT } from '../output/exit-codes.js';
import { write } from '../output/io.js';
import { withStoredPocket } from '../flows/stored-pocket.js';

export const archive: Command = {
  name: 'archive',
  usage: 'authmachine archive <item-id> [<item-id>...]',
  details:
    'Item ids are the first column of `authmachine items`. Exits 1 if any item could not be archived.\nUses the stored Pocket login and never opens a browser: with none, or one Pocket refuses, it exits 3\nand says the login command to run (with --profile NAME for a profile other than the default).',
  positionals: { name: 'item-id', min: 1, max: 500 },
  options: { ...JSON_OPTION, ...PROFILE_OPTION },
  async run(args, io) {
    const ids = args.positionals;
    const bad = ids.find((id) => !/^\d+$/.test(id));
    if (bad) throw new UsageError(`"${bad}" is not an item id (ids are numbers).`, 'archive');
    return withStoredPocket(io, 'archive', args.values['profile'], async (flow) => {
      const answer = await flow.fetch({
        kind: 'send',
        actions: ids.map((itemId) => ({ action: 'archive' as const, itemId })),
      });
      const outcomes = answer.result.outcomes.map((o, i) => ({
        itemId: ids[i],
        archived: o.ok,
        error: o.error?.message ?? null,
      }));
      if (args.values['json']) await write(io.stdout, `${JSON.stringify(outcomes)}\n`);
      // Pocket's action errors end with a period of their own.
      else
        for (const o of outcomes)
          await write(
            io.stdout,
            o.archived
              ? `Archived ${o.itemId}.\n`
              : `Could not archive ${o.itemId}${o.error ? `: ${o.error.replace(/\.$/, '')}` : ''}.\n`,
          );
      return outcomes.every((o) => o.archived) ? EXIT.ok : EXIT.failure;
    });
  },
};
