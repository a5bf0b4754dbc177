import type { PocketItem } from '../../pocket/items.js';

/** One readable line per item: id, date added, title (or URL), tags. */
export function itemRow(item: PocketItem, width: number): string {
  const raw = item.raw as Record<string, unknown>;
  const title = String(
    raw['resolved_title'] || raw['given_title'] || raw['resolved_url'] || raw['given_url'] || '(untitled)',
  );
  const added = item.timeAdded ? new Date(item.timeAdded * 1000).toISOString().slice(0, 10) : '          ';
  const flags = `${item.favorite ? '*' : ' '}${item.status === 'archived' ? 'A' : ' '}`;
  const tags = item.tags.length ? `  [${item.tags.join(', ')}]` : '';
  const room = Math.max(20, width - 14 - 12 - 4 - tags.length);
  const shown = title.length > room ? `${title.slice(0, room - 1)}…` : title;
  return `${item.itemId.padEnd(12)}  ${added}  ${flags} ${shown}${tags}`;
}

export const TABLE_HEADER = `${'ID'.padEnd(12)}  ${'ADDED'.padEnd(10)}  ${'*A'} TITLE`;
