/**
 * The actions of `POST /v3/send`, typed. Callers write camelCase (`itemId`, `oldTag`) and tag
 * lists as arrays; `encodePocketAction` turns them into Pocket's wire form (`item_id`,
 * `old_tag`, comma-separated `tags`).
 */
import { AuthError } from '../../adapters/errors.js';

interface ActionTime {
  /** When the action happened, unix seconds; Pocket uses now when absent. */
  time?: number;
}

/** Actions on one item that need nothing but its id. */
export interface PocketItemAction extends ActionTime {
  action: 'archive' | 'readd' | 'favorite' | 'unfavorite' | 'delete' | 'tags_clear';
  itemId: string;
}

/** Saves an item, by URL or by an existing item id. */
export interface PocketAddAction extends ActionTime {
  action: 'add';
  itemId?: string;
  url?: string;
  title?: string;
  tags?: string[];
  /** A tweet id, when the item comes from a tweet. */
  refId?: string;
}

/** Adds, removes or replaces tags on one item. */
export interface PocketTagsAction extends ActionTime {
  action: 'tags_add' | 'tags_remove' | 'tags_replace';
  itemId: string;
  tags: string[];
}

/** Renames a tag on every item. */
export interface PocketTagRenameAction extends ActionTime {
  action: 'tag_rename';
  oldTag: string;
  newTag: string;
}

/** Deletes a tag from every item. */
export interface PocketTagDeleteAction extends ActionTime {
  action: 'tag_delete';
  tag: string;
}

/** Every action of pocket-api.md. */
export type PocketAction =
  | PocketItemAction
  | PocketAddAction
  | PocketTagsAction
  | PocketTagRenameAction
  | PocketTagDeleteAction;

/** The names of the actions `/v3/send` takes: "archive", "add", "tags_add", "tag_rename"... */
export type PocketActionName = PocketAction['action'];

/**
 * Tags on the wire are one comma-separated string, so a tag may not contain a comma.
 * @throws AuthError ERR_CONFIG for an empty tag or one with a comma.
 */
export function encodeTags(tags: readonly string[]): string {
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.trim() === '' || tag.includes(',')) {
      throw new AuthError('ERR_CONFIG', 'A Pocket tag must be a non-empty name without commas.');
    }
  }
  return tags.map((tag) => tag.trim()).join(',');
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new AuthError('ERR_CONFIG', `This Pocket action needs ${what}.`);
  }
  return value;
}

/** One action in Pocket's wire form. Missing required fields are ERR_CONFIG. */
export function encodePocketAction(action: PocketAction): Record<string, unknown> {
  const wire: Record<string, unknown> = { action: action.action };
  switch (action.action) {
    case 'add':
      if (!action.itemId && !action.url) throw new AuthError('ERR_CONFIG', 'An "add" action needs a url or an itemId.');
      if (action.itemId) wire.item_id = action.itemId;
      if (action.url) wire.url = action.url;
      if (action.title !== undefined) wire.title = action.title;
      if (action.tags !== undefined) wire.tags = encodeTags(action.tags);
      if (action.refId !== undefined) wire.ref_id = action.refId;
      break;
    case 'tags_add':
    case 'tags_remove':
    case 'tags_replace':
      wire.item_id = requireText(action.itemId, 'an itemId');
      wire.tags = encodeTags(action.tags);
      break;
    case 'tag_rename':
      wire.old_tag = requireText(action.oldTag, 'oldTag');
      wire.new_tag = requireText(action.newTag, 'newTag');
      break;
    case 'tag_delete':
      wire.tag = requireText(action.tag, 'a tag');
      break;
    default:
      wire.item_id = requireText(action.itemId, 'an itemId');
  }
  if (action.time !== undefined) {
    if (!Number.isInteger(action.time) || action.time < 0) {
      throw new AuthError('ERR_CONFIG', 'An action time must be whole unix seconds.');
    }
    wire.time = action.time;
  }
  return wire;
}
