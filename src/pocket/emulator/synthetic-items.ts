/**
 * Generated items for benchmarks: item `i` is computed from `i` alone, so N items cost no memory
 * until a page of them is served. Item 0 is the newest; each next one was saved a minute earlier.
 * Every synthetic item is an unread, untagged article on one site: the fields filters look at
 * (status, favorite, tags, content type, domain) are the same for all, which lets a query decide
 * for the whole range at once instead of item by item.
 */
import type { PocketItemRecord } from './item-types.js';

/** time_added of item 0 (unix seconds, 2023-11-14). */
export const SYNTHETIC_NEWEST_TIME = 1_700_000_000;
/** Seconds between two synthetic items' time_added. */
export const SYNTHETIC_STEP_SECONDS = 60;
/** Synthetic item ids are this plus the index; added items use a lower range. */
export const SYNTHETIC_ID_BASE = 4_000_000_000;
/** The site every synthetic item is on. */
export const SYNTHETIC_DOMAIN = 'bench.example';

const WORDS = ['state', 'machine', 'token', 'browser', 'redirect', 'keychain', 'loopback', 'consent'];

/** N deterministic items, addressed by index. */
export class SyntheticItems {
  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('syntheticItems must be a non-negative integer');
  }

  /** time_added (and time_updated) of item `index`, in unix seconds. */
  timeAt(index: number): number {
    return SYNTHETIC_NEWEST_TIME - index * SYNTHETIC_STEP_SECONDS;
  }

  /** The item id of item `index`. */
  idAt(index: number): string {
    return String(SYNTHETIC_ID_BASE + index);
  }

  /** The index of a synthetic item id, or undefined when the id is not one of ours. */
  indexOf(itemId: string): number | undefined {
    if (!/^\d{1,12}$/.test(itemId)) return undefined;
    const index = Number(itemId) - SYNTHETIC_ID_BASE;
    return index >= 0 && index < this.size ? index : undefined;
  }

  /** Builds item `index` (a fresh object each time; callers may change it). */
  item(index: number): PocketItemRecord {
    const id = this.idAt(index);
    const time = String(this.timeAt(index));
    const url = `https://${SYNTHETIC_DOMAIN}/articles/${index}`;
    const words = 200 + ((index * 37) % 2800);
    const topic = `${WORDS[index % WORDS.length]} ${WORDS[(index >> 3) % WORDS.length]}`;
    return {
      item_id: id,
      resolved_id: id,
      given_url: url,
      given_title: '',
      favorite: '0',
      status: '0',
      time_added: time,
      time_updated: time,
      time_read: '0',
      time_favorited: '0',
      resolved_title: `Synthetic article ${index}: ${topic}`,
      resolved_url: url,
      excerpt: `Generated item number ${index} for benchmarks, about ${topic}.`,
      is_article: '1',
      is_index: '0',
      has_video: '0',
      has_image: '0',
      word_count: String(words),
      lang: 'en',
      time_to_read: Math.max(1, Math.round(words / 220)),
      listen_duration_estimate: Math.round(words / 2.6),
      domain_metadata: { name: SYNTHETIC_DOMAIN },
    };
  }
}
