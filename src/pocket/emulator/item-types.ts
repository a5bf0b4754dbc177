/**
 * The shape of one saved item as the emulator keeps it. Values are strings, as Pocket sent them;
 * `sort_id` is computed per answer, and `time_to_read` / `listen_duration_estimate` are numbers.
 */
export interface PocketItemRecord {
  item_id: string;
  /** "0" unread, "1" archived, "2" deleted. */
  status: string;
  favorite: string;
  time_added: string;
  time_updated: string;
  given_url: string;
  [field: string]: unknown;
}

/** `tags` as Pocket sends it: `{"<tag>":{"item_id":..,"tag":..}}`. */
export type PocketTags = Record<string, { item_id: string; tag: string }>;

/** Fields only `detailType=complete` shows. */
export const COMPLETE_ONLY_FIELDS = ['tags', 'authors', 'images', 'videos', 'domain_metadata'] as const;

/** The item's URL as clients see it (resolved when known). */
export function itemUrl(item: PocketItemRecord): string {
  const resolved = item.resolved_url;
  return typeof resolved === 'string' && resolved !== '' ? resolved : item.given_url;
}

/** The item's title as clients see it: the one given at save time, else the resolved one. */
export function itemTitle(item: PocketItemRecord): string {
  const given = item.given_title;
  if (typeof given === 'string' && given !== '') return given;
  const resolved = item.resolved_title;
  return typeof resolved === 'string' ? resolved : '';
}

/** Host name of a URL without a leading "www.", or "" when it does not parse. */
export function domainOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/** The tag names of an item (none when it has no `tags`). */
export function tagNames(item: PocketItemRecord): string[] {
  const tags = item.tags as PocketTags | undefined;
  return tags ? Object.keys(tags) : [];
}
