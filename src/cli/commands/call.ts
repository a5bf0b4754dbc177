import { AuthError } from '../../../adapters/errors.js';
import type { HttpMethod } from '../../../adapters/contracts.js';
import type { ResourceRequest } from '../../oauth2/index.js';
import { type Command, UsageError } from '../command.js';
import { EXIT } from '../output/exit-codes.js';
import { write } from '../output/io.js';
import { openAccount } from '../storage/account.js';
import { withStoredLogin } from '../storage/login-needed.js';
import { PROFILE_OPTION, REFRESH_SKEW_OPTION, refreshSkewMs } from '../options/common.js';

const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];
/** RFC 9110 field-name characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseHeaders(values: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of (values as string[] | undefined) ?? []) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const value = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value))
      throw new UsageError(`--header takes "Name: value".`, 'call');
    if (name.toLowerCase() === 'authorization') {
      throw new UsageError('--header Authorization is not allowed: the stored login is the credential.', 'call');
    }
    headers[name] = value;
  }
  return headers;
}

/**
 * The URL the call goes to. A path is resolved against the login's --resource. An absolute URL
 * must be on the resource's (or the issuer's) own origin: the bearer token goes with the request,
 * and a URL from a script or a pasted link must not carry it to some other host.
 */
function targetUrl(input: string, issuer: string, resource: string | undefined): string {
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(input);
  if (!absolute) {
    if (resource === undefined) {
      throw new UsageError(
        `"${input}" is a path, but this login has no --resource to resolve it against: give a full URL, or log in again with --resource URL.`,
        'call',
      );
    }
    return new URL(input, resource).toString();
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`"${input}" is not a URL.`, 'call');
  }
  const allowed = [issuer, resource].filter((u): u is string => u !== undefined).map((u) => new URL(u).origin);
  if (!allowed.includes(url.origin)) {
    throw new UsageError(
      `${url.origin} is not this login's resource or issuer: the token is only sent to ${allowed.join(' or ')}.`,
      'call',
    );
  }
  return url.toString();
}

export const call: Command = {
  name: 'call',
  usage:
    "authmachine call <url-or-path> [--method GET|POST|PUT|DELETE] [--data BODY] [--header 'Name: value']... [--include]",
  positionals: { name: 'url-or-path', min: 1, max: 1 },
  details: [
    'Uses the login saved by `authmachine login --issuer ...` (never opens a browser) and sends the',
    "request with its access token (a DPoP-bound token with a proof signed by the login's key). A 401",
    'makes the login refresh its token once and repeat the call; the refreshed token is saved. A token',
    'within --refresh-skew of its expiry is renewed before it is sent. Renewing is single-flight: other',
    "authmachine processes wait for it and use its token. A path is resolved against the login's",
    "--resource; a full URL must be on the resource's or the issuer's origin. The response body goes",
    'to stdout (with --include, after the status line and headers). Exits 0 for a 2xx answer, 1 for any',
    'other status (shown on stderr), 3 when not logged in or the login was refused (the message says the',
    'login command to run, with --profile NAME for a profile other than the default). Set Content-Type',
    'yourself with --header when you send --data.',
  ].join('\n'),
  options: {
    method: {
      type: 'string',
      short: 'X',
      valueName: 'GET|POST|PUT|DELETE',
      description: 'HTTP method (default GET, or POST with --data)',
    },
    data: { type: 'string', short: 'd', valueName: 'body', description: 'Request body, sent as given' },
    header: {
      type: 'string',
      short: 'H',
      multiple: true,
      valueName: 'Name: value',
      description: 'Extra request header (repeatable)',
    },
    include: { type: 'boolean', short: 'i', description: 'Print the status line and response headers before the body' },
    ...PROFILE_OPTION,
    ...REFRESH_SKEW_OPTION,
  },
  examples: [
    'authmachine call /api/me',
    'authmachine call https://api.example.com/v1/notes --data \'{"text":"hi"}\' --header \'Content-Type: application/json\'',
    'authmachine call /v1/notes/42 --method DELETE --include',
  ],
  async run(args, io) {
    const v = args.values;
    const body = typeof v['data'] === 'string' ? v['data'] : undefined;
    const method = (
      typeof v['method'] === 'string' ? v['method'].toUpperCase() : body === undefined ? 'GET' : 'POST'
    ) as HttpMethod;
    if (!METHODS.includes(method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}.`, 'call');
    const headers = parseHeaders(v['header']);

    const skew = refreshSkewMs(args, { command: 'call' });
    const account = await openAccount(v['profile'], io, 'call');
    const profile = account.profile;
    if (profile.provider !== 'oauth2') {
      throw new AuthError(
        'ERR_CONFIG',
        'The saved login is for Pocket: `call` is for OAuth logins. Use `items`, `add` or `archive`, or log in with --issuer.',
      );
    }
    const given = args.positionals[0];
    if (given === undefined) throw new UsageError('missing <url-or-path>.', 'call');
    const url = targetUrl(given, profile.issuer, profile.resource);
    const { oauthFlow, oauthOptionsFromProfile } = await import('../flows/oauth.js');
    const { flow } = oauthFlow({ ...oauthOptionsFromProfile(account, io), refreshSkewMs: skew }, io);
    return withStoredLogin(flow, account.name, async () => {
      const request: ResourceRequest = { url, method, headers, ...(body === undefined ? {} : { body }) };
      const response = await flow.fetch(request);
      if (v['include']) {
        const lines = [
          `HTTP ${response.status}`,
          ...Object.entries(response.headers).map(([name, value]) => `${name}: ${value}`),
        ];
        await write(io.stdout, `${lines.join('\r\n')}\r\n\r\n`);
      }
      // The body exactly as it came, so it can be piped to a file or jq unchanged.
      await write(io.stdout, response.body);
      if (response.status >= 200 && response.status < 300) return EXIT.ok;
      io.stderr.write(`authmachine: ${method} ${url} answered HTTP ${response.status}.\n`);
      return EXIT.failure;
    });
  },
};
