/**
 * The actions of `/v3/send`. Each action succeeds or fails on its own: the answer has `true` or
 * `false` at its index in `action_results`, and `null` or an error object in `action_errors`.
 */
import { copyItem, currentTags, isSavableUrl, parseTagList, saveUrl, setTags } from './item-changes.js';
import type { PocketItemRecord } from './item-types.js';
import type { KeyPermission } from './store.js';
import type { Account } from './store.js';

export const SEND_ACTIONS = [
  'add',
  'archive',
  'readd',
  'favorite',
  'unfavorite',
  'delete',
  'tags_add',
  'tags_remove',
  'tags_replace',
  'tags_clear',
  'tag_rename',
  'tag_delete',
] as const;

export type SendActionName = (typeof SEND_ACTIONS)[number];

/** The error object of a failed action. */
export interface ActionError {
  message: string;
  type: string;
  code: number;
}

export type ActionOutcome = { ok: true } | { ok: false; error: ActionError };

/** The key permission an action needs. */
export function permissionFor(action: unknown): KeyPermission {
  return action === 'add' ? 'add' : 'modify';
}

const invalid = (message: string): ActionOutcome => ({ ok: false, error: { message, type: 'Bad Request', code: 400 } });
const notFound = (): ActionOutcome => ({
  ok: false,
  error: { message: 'Item not found.', type: 'Not Found', code: 404 },
});

function text(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Applies one action. `nowSeconds` is used when the action carries no `time`. */
export function applyAction(account: Account, action: unknown, nowSeconds: number): ActionOutcome {
  if (action === null || typeof action !== 'object' || Array.isArray(action))
    return invalid('Action must be an object.');
  const fields = action as Record<string, unknown>;
  const name = fields.action;
  if (typeof name !== 'string' || !(SEND_ACTIONS as readonly string[]).includes(name))
    return invalid('Invalid action.');
  const rawTime = text(fields.time);
  if (rawTime !== null && !/^\d{1,12}$/.test(rawTime)) return invalid('Invalid time.');
  const time = rawTime === null ? nowSeconds : Number(rawTime);

  if (name === 'tag_rename' || name === 'tag_delete') return changeTagEverywhere(account, name, fields, time);

  if (name === 'add' && fields.item_id === undefined) {
    const url = text(fields.url);
    if (!url || !isSavableUrl(url)) return invalid('Invalid URL.');
    saveUrl(account, { url, title: text(fields.title), tags: parseTagList(fields.tags), time });
    return { ok: true };
  }

  const itemId = text(fields.item_id);
  const current = itemId ? account.get(itemId) : undefined;
  if (!current || current.status === '2') return notFound();
  const item = copyItem(current);
  const stamp = String(time);
  switch (name as SendActionName) {
    case 'add':
    case 'readd':
      item.status = '0';
      item.time_read = '0';
      if (name === 'add') setTags(item, [...new Set([...currentTags(item), ...parseTagList(fields.tags)])]);
      break;
    case 'archive':
      item.status = '1';
      item.time_read = stamp;
      break;
    case 'favorite':
      item.favorite = '1';
      item.time_favorited = stamp;
      break;
    case 'unfavorite':
      item.favorite = '0';
      item.time_favorited = '0';
      break;
    case 'delete':
      item.status = '2';
      break;
    case 'tags_add':
    case 'tags_remove':
    case 'tags_replace': {
      const tags = parseTagList(fields.tags);
      if (tags.length === 0) return invalid('Missing tags.');
      const now = currentTags(item);
      if (name === 'tags_add') setTags(item, [...new Set([...now, ...tags])]);
      else if (name === 'tags_remove')
        setTags(
          item,
          now.filter((tag) => !tags.includes(tag)),
        );
      else setTags(item, tags);
      break;
    }
    case 'tags_clear':
      setTags(item, []);
      break;
  }
  item.time_updated = stamp;
  account.put(item);
  return { ok: true };
}

/** tag_rename / tag_delete act on every item that has the tag. */
function changeTagEverywhere(
  account: Account,
  name: 'tag_rename' | 'tag_delete',
  fields: Record<string, unknown>,
  time: number,
): ActionOutcome {
  const oldTag = text(name === 'tag_rename' ? fields.old_tag : fields.tag);
  const newTag = name === 'tag_rename' ? text(fields.new_tag)?.trim() : undefined;
  if (!oldTag || (name === 'tag_rename' && !newTag)) return invalid('Missing tag.');
  const changed: PocketItemRecord[] = [];
  for (const item of account.explicitItems()) {
    if (item.status === '2' || !currentTags(item).includes(oldTag)) continue;
    const copy = copyItem(item);
    const kept = currentTags(item).filter((tag) => tag !== oldTag);
    setTags(copy, newTag ? [...new Set([...kept, newTag])] : kept);
    copy.time_updated = String(time);
    changed.push(copy);
  }
  for (const item of changed) account.put(item);
  return { ok: true };
}
