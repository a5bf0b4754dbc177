/** The device authorization grant (RFC 8628): ask for a user code, then poll the token endpoint. */
import { AuthError } from '../../adapters/errors.js';
import type { DevicePollResult, ProtocolContext } from '../protocol.js';
import {
  clientAuthParams,
  failureFor,
  optionalSeconds,
  optionalString,
  parseJsonObject,
  postForm,
  requiredString,
  type ClientCredentials,
} from './http.js';
import type { DPoPBinding } from './dpop-request.js';
import { DEVICE_CODE_GRANT, requestToken } from './token-endpoint.js';
import { assertSafeUrl } from './url-safety.js';

const WHAT = 'device authorization endpoint';

/** RFC 8628 section 3.2: without `interval` the client waits 5 seconds between polls. */
export const DEFAULT_DEVICE_INTERVAL_MS = 5000;

export interface DeviceAuthorization {
  /** Secret: only the token endpoint may see it. */
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresInMs: number;
  intervalMs: number;
}

export async function startDeviceAuthorization(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  scope: string,
  timeoutMs: number,
): Promise<DeviceAuthorization> {
  const response = await postForm(ctx, endpoint, WHAT, { ...clientAuthParams(client), scope }, timeoutMs);
  if (response.status !== 200) throw failureFor(response, 'device-start', WHAT, ctx.clock.now());
  const json = parseJsonObject(response.body, WHAT, 200);
  const expiresIn = optionalSeconds(json, 'expires_in', WHAT);
  if (expiresIn === undefined || expiresIn === 0) throw new AuthError('ERR_BAD_RESPONSE', `The ${WHAT} did not send "expires_in".`);
  const verificationUri = requiredString(json, 'verification_uri', WHAT);
  assertSafeUrl(verificationUri, 'verification URI');
  const complete = optionalString(json, 'verification_uri_complete', WHAT);
  if (complete !== undefined) assertSafeUrl(complete, 'verification URI');
  const interval = optionalSeconds(json, 'interval', WHAT);
  const result: DeviceAuthorization = {
    deviceCode: requiredString(json, 'device_code', WHAT),
    userCode: requiredString(json, 'user_code', WHAT),
    verificationUri,
    expiresInMs: expiresIn * 1000,
    intervalMs: interval === undefined ? DEFAULT_DEVICE_INTERVAL_MS : interval * 1000,
  };
  if (complete !== undefined) result.verificationUriComplete = complete;
  return result;
}

/**
 * One poll. authorization_pending and slow_down are answers, not failures; the caller waits
 * (and, after slow_down, waits 5 s longer from then on, RFC 8628 section 3.5).
 */
export async function pollDeviceToken(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  deviceCode: string,
  timeoutMs: number,
  dpop?: DPoPBinding,
): Promise<DevicePollResult> {
  try {
    const token = await requestToken(ctx, endpoint, client, { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode }, 'device', timeoutMs, dpop);
    return { status: 'approved', token };
  } catch (error) {
    if (error instanceof AuthError && error.providerCode === 'authorization_pending') return { status: 'pending' };
    if (error instanceof AuthError && error.providerCode === 'slow_down') return { status: 'slow_down' };
    throw error;
  }
}
