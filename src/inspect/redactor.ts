/**
 * Turns any value into plain JSON with its secrets replaced by "[redacted]". Two mechanisms:
 * - by key: a value under a denied key (see secret-keys.ts) is redacted, keeping the keys of
 *   objects so the reader still sees what was there;
 * - by value: every secret seen under a denied key is remembered for the life of the redactor,
 *   and any other string that contains it (an authorization URL with the request token in it, an
 *   error message that quotes a code) has it cut out. Query parameters with denied names are cut
 *   out of every string too, seen before or not.
 */
import { isDeniedKey, isDeniedParam, REDACTED } from './secret-keys.js';

/** A plain JSON value: what the redactor always returns. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Secrets shorter than this are only redacted by key: cutting "ab" out of every string would garble the output. */
export const MIN_REMEMBERED_SECRET_LENGTH = 6;
const MAX_DEPTH = 24;
const MAX_ARRAY_ITEMS = 200;
const MAX_STRING_LENGTH = 4_096;

/** Turns values into plain JSON without their secrets (see {@link createRedactor}). */
export interface Redactor {
  /** Remembers the secrets found under denied keys in `value`, without returning anything. */
  learn(value: unknown): void;
  /** Learns from `value`, then returns it as redacted plain JSON. */
  redact(value: unknown): JsonValue;
  /** Redacts `value` without learning from it: for static text such as a machine definition. */
  redactKnown(value: unknown): JsonValue;
  /** Cuts remembered secrets and denied query parameters out of one string. */
  scrub(text: string): string;
  /** A short description of a value that may be big (a fetched result), with nothing of its content. */
  summarise(value: unknown): JsonValue;
}

// `^` or a separator, a parameter name, `=`, the value up to the next separator.
const QUERY_PARAM = /(^|[?&#;])([^=&#?;\s"']+)=([^&#;\s"']*)/g;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** Replaces the values of denied query parameters in any string: URLs, form bodies, fragments. */
export function scrubQueryParams(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(QUERY_PARAM, (whole, sep: string, name: string, value: string) =>
    value !== '' && isDeniedParam(decodeName(name)) ? `${sep}${name}=${REDACTED}` : whole,
  );
}

function isActorRefLike(value: object): value is { sessionId: string; id?: unknown } {
  const v = value as { sessionId?: unknown; send?: unknown };
  return typeof v.sessionId === 'string' && typeof v.send === 'function';
}

function isPlainRecord(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A new redactor. It redacts by key (token, code, verifier, secret, request_token, ...) and
 * remembers each secret it saw, to cut it out of any later string (an authorization URL, an error
 * message). Strings over 4,096 characters, arrays over 200 items and depth over 24 are cut short.
 */
export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  // Longest first, so a secret that contains another is cut out whole.
  let ordered: string[] = [];

  const remember = (secret: string) => {
    if (secret.length < MIN_REMEMBERED_SECRET_LENGTH || secret === REDACTED || secrets.has(secret)) return;
    secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) secrets.add(encoded);
    ordered = [...secrets].sort((a, b) => b.length - a.length);
  };

  const learnAll = (value: unknown, depth: number) => {
    if (depth > MAX_DEPTH || value === null || value === undefined) return;
    if (typeof value === 'string') return remember(value);
    if (typeof value === 'number') return remember(String(value));
    if (typeof value !== 'object') return;
    for (const item of Object.values(value)) learnAll(item, depth + 1);
  };

  const learn = (value: unknown, depth = 0, seen = new Set<object>()) => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (isActorRefLike(value)) return;
    for (const [key, item] of Object.entries(value)) {
      if (isDeniedKey(key, item)) learnAll(item, depth + 1);
      else learn(item, depth + 1, seen);
    }
  };

  const scrub = (text: string): string => {
    let out = scrubQueryParams(text);
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out.length > MAX_STRING_LENGTH
      ? `${out.slice(0, MAX_STRING_LENGTH)}… [${out.length - MAX_STRING_LENGTH} more characters]`
      : out;
  };

  // Inside a denied key: keep the shape, hide every leaf.
  const hide = (value: unknown, depth: number): JsonValue => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'boolean') return value;
    if (typeof value !== 'object' || depth > MAX_DEPTH) return REDACTED;
    if (Array.isArray(value)) return value.slice(0, MAX_ARRAY_ITEMS).map((item) => hide(item, depth + 1));
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[scrub(key)] = hide(item, depth + 1);
    return out;
  };

  const toJson = (value: unknown, depth: number, seen: Set<object>): JsonValue | undefined => {
    if (value === null) return null;
    switch (typeof value) {
      case 'string':
        return scrub(value);
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        return value;
      case 'bigint':
        return scrub(value.toString());
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    const object = value as object;
    if (depth > MAX_DEPTH) return '[too deep]';
    if (seen.has(object)) return '[circular]';
    if (isActorRefLike(object))
      return { sessionId: object.sessionId, id: typeof object.id === 'string' ? scrub(object.id) : null };
    if (object instanceof Date) return object.toISOString();
    if (object instanceof Error) return errorToJson(object);
    seen.add(object);
    try {
      if (Array.isArray(object) || object instanceof Set) {
        const items = [...(object as Iterable<unknown>)];
        const out = items.slice(0, MAX_ARRAY_ITEMS).map((item) => toJson(item, depth + 1, seen) ?? null);
        if (items.length > MAX_ARRAY_ITEMS) out.push(`[${items.length - MAX_ARRAY_ITEMS} more items]`);
        return out;
      }
      const entries =
        object instanceof Map ? [...object.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(object);
      const out: Record<string, JsonValue> = {};
      for (const [key, item] of entries) {
        const json = isDeniedKey(key, item) ? hide(item, depth + 1) : toJson(item, depth + 1, seen);
        if (json !== undefined) out[scrub(key)] = json;
      }
      if (!isPlainRecord(object) && !(object instanceof Map) && Object.keys(out).length === 0)
        return `[${object.constructor?.name ?? 'object'}]`;
      return out;
    } finally {
      seen.delete(object);
    }
  };

  // An AuthError's message never holds a secret (adapters/errors.ts); any other message might.
  const errorToJson = (error: Error): JsonValue => {
    const code = (error as { code?: unknown }).code;
    const out: Record<string, JsonValue> = { name: scrub(error.name) };
    if (error.name === 'AuthError' && typeof code === 'string') {
      out.code = code;
      out.message = scrub(error.message);
    }
    return out;
  };

  const summarise = (value: unknown): JsonValue => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object') return { summary: typeof value };
    let bytes: number | null = null;
    try {
      bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
    } catch {
      // Circular or otherwise unserialisable: the size is unknown.
    }
    if (Array.isArray(value)) return { summary: 'array', items: value.length, bytes };
    return { summary: 'object', keys: Object.keys(value).length, bytes };
  };

  return {
    learn: (value) => learn(value),
    redact(value) {
      learn(value);
      return toJson(value, 0, new Set()) ?? null;
    },
    redactKnown: (value) => toJson(value, 0, new Set()) ?? null,
    scrub,
    summarise,
  };
}

/** One-shot redaction of a value with a fresh redactor (nothing remembered from elsewhere). */
export function redactValue(value: unknown): JsonValue {
  return createRedactor().redact(value);
}
