/** Shared helpers for the emulator tests: start/stop, calls, and Pocket error assertions. */
import type { ExecutionContext } from 'ava';
import {
  startPocketEmulator,
  type PocketEmulator,
  type PocketEmulatorOptions,
} from '../../../src/pocket/emulator/index.js';

export const JSON_HEADERS = { 'Content-Type': 'application/json; charset=UTF8', 'X-Accept': 'application/json' };

/** Starts an emulator that is closed when the test ends. */
export async function startEmulator(t: ExecutionContext, options: PocketEmulatorOptions = {}): Promise<PocketEmulator> {
  const emulator = await startPocketEmulator(options);
  t.teardown(() => emulator.close());
  return emulator;
}

/** POST with a JSON body (and X-Accept: application/json unless headers say otherwise). */
export function postJson(
  emulator: PocketEmulator,
  path: string,
  body: unknown,
  headers: Record<string, string> = JSON_HEADERS,
): Promise<Response> {
  return fetch(emulator.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** POST with a form body; no X-Accept unless given. */
export function postForm(
  emulator: PocketEmulator,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(emulator.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Asserts Pocket's error convention exactly. */
export async function assertPocketError(
  t: ExecutionContext,
  response: Response,
  status: number,
  code: string,
  message: string,
): Promise<void> {
  t.is(response.status, status);
  t.is(response.headers.get('x-error-code'), code);
  t.is(response.headers.get('x-error'), message);
  t.is(response.headers.get('x-source'), 'Pocket');
  t.is(response.headers.get('content-type'), 'text/html; charset=UTF-8');
  t.is(await response.text(), `${status} ${statusText(status)}`);
}

function statusText(status: number): string {
  return (
    (
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        500: 'Internal Server Error',
        502: 'Bad Gateway',
        503: 'Service Unavailable',
      } as Record<number, string>
    )[status] ?? '?'
  );
}

/** Runs the OAuth dance against an auto-approving emulator and returns the access token. */
export async function requestToken(
  emulator: PocketEmulator,
  redirectUri = 'http://127.0.0.1:9/done',
  consumerKey = emulator.consumerKey,
): Promise<string> {
  const response = await postJson(emulator, '/v3/oauth/request', {
    consumer_key: consumerKey,
    redirect_uri: redirectUri,
  });
  const { code } = (await response.json()) as { code: string };
  return code;
}

/** A /v3/get call with the default key and the given token; returns the parsed answer. */
export async function getList(
  emulator: PocketEmulator,
  accessToken: string,
  params: Record<string, unknown> = {},
): Promise<GetAnswer> {
  const response = await postJson(emulator, '/v3/get', {
    consumer_key: emulator.consumerKey,
    access_token: accessToken,
    ...params,
  });
  if (response.status !== 200)
    throw new Error(`get failed with ${response.status} ${response.headers.get('x-error-code')}`);
  return (await response.json()) as GetAnswer;
}

export interface GetAnswer {
  status: number;
  complete: number;
  list: Record<string, Record<string, unknown>> | [];
  error: null;
  search_meta: { search_type: string };
  since: number;
  total?: string;
}

/** The list's items in answer order. */
export function items(answer: GetAnswer): Array<Record<string, unknown>> {
  return Array.isArray(answer.list)
    ? []
    : Object.values(answer.list).sort((a, b) => (a.sort_id as number) - (b.sort_id as number));
}
