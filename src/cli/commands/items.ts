import { type PocketGetParams, pagesOf } from '../../pocket/data.js';
import { type Command, UsageError } from '../command.js';
import { PROFILE_OPTION } from '../options/common.js';
import { EXIT } from '../output/exit-codes.js';
import { write } from '../output/io.js';
import { itemRow, TABLE_HEADER } from '../output/item-table.js';
import { withStoredPocket } from '../flows/stored-pocket.js';
import { wholeNumberOption } from '../options/number.js';

const CHOICES = {
  state: ['unread', 'archive', 'all'],
  'content-type': ['article', 'video', 'image'],
  sort: ['newest', 'oldest', 'title', 'site'],
} as const;

function choice<K extends keyof typeof CHOICES>(name: K, value: unknown): (typeof CHOICES)[K][number] | undefined {
  if (value === undefined) return undefined;
  if ((CHOICES[name] as readonly string[]).includes(String(value))) return value as (typeof CHOICES)[K][number];
  throw new UsageError(`--${name} must be one of ${CHOICES[name].join(', ')}.`, 'items');
}

export const items: Command = {
  name: 'items',
  usage: 'authmachine items [filters] [--all] [--json | --ndjson]',
  details: [
    "Shows a readable table by default (* favourite, A archived). --json prints Pocket's own items",
    '(its strings, as the API returns them) as one JSON array; --ndjson prints one item per line and',
    'streams, so --all --ndjson handles any size of list in constant memory.',
    'Uses the stored Pocket login and never opens a browser: with none, or one Pocket refuses, it exits 3',
    'and says the login command to run (with --profile NAME for a profile other than the default).',
  ].join('\n'),
  options: {
    ...PROFILE_OPTION,
    state: { type: 'string', valueName: 'unread|archive|all', description: 'Which items (default unread)' },
    favorite: { type: 'boolean', description: 'Only favourites' },
    tag: { type: 'string', valueName: 'name', description: 'Only items with this tag (_untagged_ for none)' },
    'content-type': { type: 'string', valueName: 'article|video|image', description: 'Only this kind of item' },
    sort: { type: 'string', valueName: 'newest|oldest|title|site', description: 'Order (default newest)' },
    search: { type: 'string', valueName: 'text', description: 'Only items whose title or URL contains this' },
    domain: { type: 'string', valueName: 'host', description: 'Only items from this site' },
    since: { type: 'string', valueName: 'unix-seconds', description: 'Only items changed since then' },
    count: { type: 'string', valueName: 'n', description: 'How many (default 30; ignored with --all)' },
    offset: { type: 'string', valueName: 'n', description: 'Skip this many first' },
    all: { type: 'boolean', description: 'Every matching item, fetched page by page' },
    'page-size': { type: 'string', valueName: 'n', description: 'Items per request with --all (default 500)' },
    complete: { type: 'boolean', description: 'Ask for full details (authors, images, videos)' },
    json: { type: 'boolean', description: "Pocket's raw items as a JSON array" },
    ndjson: { type: 'boolean', description: "Pocket's raw items, one JSON object per line" },
  },
  examples: [
    'authmachine items --count 10',
    'authmachine items --tag reading --sort oldest',
    'authmachine items --all --ndjson > pocket.ndjson',
  ],
  async run(args, io) {
    const v = args.values;
    if (v['json'] && v['ndjson']) throw new UsageError('choose one of --json and --ndjson.', 'items');
    const params: PocketGetParams = {};
    const state = choice('state', v['state']);
    const contentType = choice('content-type', v['content-type']);
    const sort = choice('sort', v['sort']);
    if (state) params.state = state;
    if (contentType) params.contentType = contentType;
    if (sort) params.sort = sort;
    if (v['favorite']) params.favorite = true;
    if (typeof v['tag'] === 'string') params.tag = v['tag'];
    if (typeof v['search'] === 'string') params.search = v['search'];
    if (typeof v['domain'] === 'string') params.domain = v['domain'];
    const since = wholeNumberOption(args, 'since', { command: 'items', min: 0 });
    if (since !== undefined) params.since = since;
    if (v['complete']) params.detailType = 'complete';
    params.offset = wholeNumberOption(args, 'offset', { command: 'items', min: 0, fallback: 0 });
    const all = Boolean(v['all']);
    // Both are checked whichever is used: a bad value is never silently ignored.
    const pageSizeAll = wholeNumberOption(args, 'page-size', { command: 'items', min: 1, fallback: 500 });
    const count = wholeNumberOption(args, 'count', { command: 'items', min: 1, fallback: 30 });
    const pageSize = all ? pageSizeAll : count;

    await withStoredPocket(io, 'items', args.values['profile'], async (flow) => {
      const getPage = async (pageParams: PocketGetParams) => {
        const answer = await flow.fetch({ kind: 'get', params: pageParams });
        return answer.result;
      };
      const format = v['ndjson'] ? 'ndjson' : v['json'] ? 'json' : 'table';
      // stdout only ever holds whole documents: --json is written once every page has arrived,
      // the table and --ndjson in whole lines per page. A failure part-way leaves no lone "[".
      let shown = 0;
      const rawItems: unknown[] = [];
      const pages = all
        ? pagesOf(getPage, params, { pageSize })
        : (async function* () {
            yield await getPage({ ...params, count: pageSize });
          })();
      const width = (io.stdout as { columns?: number }).columns ?? 100;
      for await (const page of pages) {
        let chunk = format === 'table' && shown === 0 && page.items.length > 0 ? `${TABLE_HEADER}\n` : '';
        for (const item of page.items) {
          if (format === 'ndjson') chunk += `${JSON.stringify(item.raw)}\n`;
          else if (format === 'json') rawItems.push(item.raw);
          else chunk += `${itemRow(item, width)}\n`;
          shown++;
        }
        if (chunk !== '') await write(io.stdout, chunk);
      }
      if (format === 'json')
        await write(
          io.stdout,
          rawItems.length === 0 ? '[]\n' : `[\n${rawItems.map((raw) => JSON.stringify(raw)).join(',\n')}\n]\n`,
        );
      if (format === 'table') {
        if (shown === 0) await write(io.stdout, `${TABLE_HEADER}\n`);
        io.stderr.write(`${shown} item${shown === 1 ? '' : 's'}.\n`);
      }
    });
    return EXIT.ok;
  },
};
