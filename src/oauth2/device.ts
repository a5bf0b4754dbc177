/**
 * The device authorization grant (RFC 8628): the device authorization request (section 3.1), then
 * device access token requests (section 3.4) until the person approves.
 */
import { AuthError, isAuthError } from '../../adapters/errors.js';
import type { DevicePollResult, ProtocolContext } from '../protocol.js';
import {
  errorIn2xx,
  failureFor,
  optionalSeconds,
  optionalString,
  parseJsonObject,
  postForm,
  requiredString,
  type ClientCredentials,
} from './http.js';
import type { DPoPBinding } from './dpop-request.js';
import { DEVICE_CODE_GRANT, readAccessTokenResponse } from './token-endpoint.js';
import { assertSafeUrl } from './url-safety.js';

const WHAT = 'device authorization endpoint';

/** RFC 8628 section 3.2: without `interval` the client waits 5 seconds between polls. */
export const DEFAULT_DEVICE_INTERVAL_MS = 5000;

/** The device authorization response (RFC 8628 section 3.2), with times in milliseconds. */
export interface DeviceAuthorizationResponse {
  /** Secret: only the token endpoint may see it. */
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresInMs: number;
  intervalMs: number;
}

/** Provider habits the device authorization request may accept. */
export interface DeviceAuthorizationRequestOptions {
  /**
   * Also read the page from `verification_url`, the name Google's device endpoint uses. Only a
   * provider preset turns this on: RFC 8628 section 3.2 requires `verification_uri`.
   */
  acceptVerificationUrl?: boolean;
}

/** The device authorization request (RFC 8628 section 3.1): asks for a device code and a user code. */
export async function sendDeviceAuthorizationRequest(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  scope: string,
  timeoutMs: number,
  options: DeviceAuthorizationRequestOptions = {},
): Promise<DeviceAuthorizationResponse> {
  const response = await postForm(ctx, endpoint, WHAT, { scope }, timeoutMs, undefined, client);
  if (response.status !== 200) throw failureFor(response, 'device-authorization', WHAT, ctx.clock.now());
  const refused = errorIn2xx(response, 'device-authorization', ctx.clock.now());
  if (refused) throw refused;
  const json = parseJsonObject(response.body, WHAT, 200);
  const expiresIn = optionalSeconds(json, 'expires_in', WHAT);
  if (expiresIn === undefined || expiresIn === 0)
    throw new AuthError('ERR_BAD_RESPONSE', `The ${WHAT} did not send "expires_in".`);
  const uriKey =
    options.acceptVerificationUrl && json['verification_uri'] === undefined ? 'verification_url' : 'verification_uri';
  const verificationUri = requiredString(json, uriKey, WHAT);
  assertSafeUrl(verificationUri, 'verification URI');
  const complete = optionalString(json, 'verification_uri_complete', WHAT);
  if (complete !== undefined) assertSafeUrl(complete, 'verification URI');
  const interval = optionalSeconds(json, 'interval', WHAT);
  const result: DeviceAuthorizationResponse = {
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
 * One device access token request (RFC 8628 section 3.4). authorization_pending and slow_down are answers, not failures, whatever the status
 * they came with (400 per RFC 8628, 200 from GitHub). The caller waits: after slow_down 5 s longer
 * from then on, or the new `interval` the server sent if that is longer (RFC 8628 section 3.5);
 * a Retry-After on either answer is honoured too.
 */
export async function sendDeviceAccessTokenRequest(
  ctx: ProtocolContext,
  endpoint: string,
  client: ClientCredentials,
  deviceCode: string,
  timeoutMs: number,
  dpop?: DPoPBinding,
): Promise<DevicePollResult> {
  const sentAt = ctx.clock.now();
  const response = await postForm(
    ctx,
    endpoint,
    'token endpoint',
    { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode },
    timeoutMs,
    dpop,
    client,
  );
  try {
    return {
      status: 'approved',
      token: readAccessTokenResponse(response, 'device-access-token', sentAt, ctx.clock.now(), dpop),
    };
  } catch (error) {
    if (!isAuthError(error)) throw error;
    const timing = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
    if (error.providerCode === 'authorization_pending') return { status: 'pending', ...timing };
    if (error.providerCode === 'slow_down') {
      const intervalMs = newInterval(response.body);
      return { status: 'slow_down', ...timing, ...(intervalMs === undefined ? {} : { intervalMs }) };
    }
    throw error;
  }
}

/** The `interval` (seconds) a slow_down answer may carry; anything malformed is ignored. */
function newInterval(body: string): number | undefined {
  try {
    const value = (JSON.parse(body) as { interval?: unknown }).interval;
    return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 3600 ? value * 1000 : undefined;
  } catch {
    return undefined;
  }
}
