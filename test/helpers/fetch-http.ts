/**
 * A test-only HttpClient over Node's global fetch. It keeps the HttpClient contract: a deadline
 * on every call, the caller's AbortSignal, lower-cased response headers, any HTTP status
 * resolves, and only AuthErrors reject. Redirects are never followed.
 */
import type { HttpClient, HttpRequest, HttpResponse } from '../../adapters/contracts.js';
import { AuthError } from '../../adapters/errors.js';

export interface RecordingHttpClient extends HttpClient {
  /** Every request sent, in order (tests inspect what went over the wire). */
  readonly requests: HttpRequest[];
}

export function createFetchHttpClient(): RecordingHttpClient {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(request: HttpRequest): Promise<HttpResponse> {
      requests.push(request);
      if (request.signal?.aborted) throw new AuthError('ERR_CANCELLED', 'The request was cancelled.');
      const timeout = AbortSignal.timeout(request.timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await fetch(request.url, {
          method: request.method,
          ...(request.headers ? { headers: request.headers } : {}),
          ...(request.body === undefined ? {} : { body: request.body }),
          redirect: 'manual',
          signal,
        });
      } catch (error) {
        throw failure(error, request, timeout);
      }
      let body: string;
      try {
        body = await response.text();
      } catch (error) {
        throw failure(error, request, timeout);
      }
      if (request.maxBodyBytes !== undefined && Buffer.byteLength(body) > request.maxBodyBytes) {
        throw new AuthError('ERR_RESPONSE_TOO_LARGE', 'The response body is larger than allowed.');
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
      return { status: response.status, headers, body };
    },
  };
}

function failure(error: unknown, request: HttpRequest, timeout: AbortSignal): AuthError {
  if (request.signal?.aborted) return new AuthError('ERR_CANCELLED', 'The request was cancelled.');
  if (timeout.aborted) return new AuthError('ERR_TIMEOUT', 'The request took too long.');
  // The cause is kept for debugging; the message names no URL (it could hold a secret).
  return new AuthError('ERR_NETWORK', 'The request could not reach the server.', { cause: error });
}
