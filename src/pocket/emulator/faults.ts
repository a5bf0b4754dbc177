/**
 * Fault injection for tests: the next call(s) to an endpoint fail in a chosen way before the
 * endpoint runs. Queued per endpoint, first in first out.
 */
import type { ServerResponse } from 'node:http';
import { sendJson, sendHtml, sendPocketError, sendStatusOnly } from './responses.js';

/** Endpoints a fault can be queued for. */
export type EmulatorEndpoint =
  | '/v3/oauth/request'
  | '/v3/oauth/authorize'
  | '/v3/get'
  | '/v3/add'
  | '/v3/send'
  | '/auth/authorize';

/** One fault the emulator plays on the next call to an endpoint (see `PocketEmulator.failNext`). */
export type EmulatorFault =
  /** A 5xx answers with X-Error-Code 199; other statuses with the bare status. `retryAfter` in seconds. */
  | { status: number; retryAfter?: number }
  /** 200 with a truncated JSON body. */
  | { malformed: true }
  /** 200 with an HTML page where JSON was due (a proxy's or captive portal's page). */
  | { html: true }
  /** Waits this long, then answers normally. */
  | { stallMs: number }
  /** Drops the connection without an answer. */
  | { reset: true };

export const FAULT_ENDPOINTS: readonly EmulatorEndpoint[] = [
  '/v3/oauth/request',
  '/v3/oauth/authorize',
  '/v3/get',
  '/v3/add',
  '/v3/send',
  '/auth/authorize',
];

export class FaultQueue {
  private readonly queued = new Map<EmulatorEndpoint, EmulatorFault[]>();

  add(endpoint: EmulatorEndpoint, fault: EmulatorFault, times = 1): void {
    if (!FAULT_ENDPOINTS.includes(endpoint)) throw new RangeError(`not an emulator endpoint: ${String(endpoint)}`);
    const list = this.queued.get(endpoint) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.queued.set(endpoint, list);
  }

  take(endpoint: string): EmulatorFault | undefined {
    return this.queued.get(endpoint as EmulatorEndpoint)?.shift();
  }

  /** How many faults are still queued for the endpoint. */
  pending(endpoint: EmulatorEndpoint): number {
    return this.queued.get(endpoint)?.length ?? 0;
  }

  clear(): void {
    this.queued.clear();
  }
}

/**
 * Answers with the fault. Returns false for a stall (the caller waits, then handles the request
 * normally).
 */
export function answerWithFault(response: ServerResponse, fault: EmulatorFault): boolean {
  if ('stallMs' in fault) return false;
  if ('reset' in fault) {
    response.socket?.destroy();
    return true;
  }
  if ('malformed' in fault) {
    sendJson(response, '{"status":1,"complete":1,"list":{"12');
    return true;
  }
  if ('html' in fault) {
    sendHtml(
      response,
      200,
      '<!doctype html><html><head><title>Maintenance</title></head><body><h1>We will be right back.</h1></body></html>',
    );
    return true;
  }
  const headers: Record<string, string> =
    fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
  if (fault.status >= 500) sendPocketError(response, 199, headers, fault.status);
  else sendStatusOnly(response, fault.status, headers);
  return true;
}
