/**
 * `authmachine login --issuer URL --client-id ID` for any standards-compliant OAuth 2.0 / OpenID
 * Connect provider, `--provider NAME` for a preset, or `--token-endpoint URL ...` for a server
 * without metadata: a native client with PKCE and a loopback redirect, or the device grant with
 * --device. Saves the non-secret settings as the profile later commands use.
 */
import { type ParsedArgs, UsageError } from '../command.js';
import type { CliIO } from '../output/io.js';
import type { LoginOptions, LoginOutcome } from './options.js';
import { readClientSecret } from '../options/secrets.js';
import { oauthFlow } from '../flows/oauth.js';
import { targetFields, targetFromArgs, targetProtocolOptions } from '../flows/oauth-target.js';
import { storageKeyOf } from '../storage/account.js';
import { loggedInText } from './outcome-text.js';
import { writeProfile, type Profile } from '../storage/profile.js';
import { runLogin } from './run.js';
import { hasDisplay } from '../flows/browser.js';
import { openLock, openStore } from '../storage/stores.js';
import { stringOption, wholeNumberOption } from '../options/number.js';
import { resolve } from 'node:path';

/** Pocket's options make no sense with --issuer: say so rather than ignore them. */
const POCKET_ONLY = ['consumer-key-file', 'manual'] as const;

const optionalString = (args: ParsedArgs, name: string) => stringOption(args, name, { command: 'login' });

/**
 * RFC 9449 DPoP: --dpop, always; --no-dpop, never (a bearer token, which other tools can send, e.g.
 * from `authmachine token`); neither, when the issuer's metadata offers it.
 */
function dpopChoice(args: ParsedArgs): { dpop?: boolean } {
  if (args.values['dpop'] && args.values['no-dpop'])
    throw new UsageError('--dpop and --no-dpop contradict each other: choose one.', 'login');
  if (args.values['dpop']) return { dpop: true };
  if (args.values['no-dpop']) return { dpop: false };
  return {};
}

export async function loginOAuth(args: ParsedArgs, io: CliIO, options: LoginOptions): Promise<LoginOutcome> {
  const target = targetFromArgs(args);
  const { issuer } = target;
  const clientId = optionalString(args, 'client-id');
  if (clientId === undefined) {
    const what = target.preset ? `--provider ${target.preset}` : args.values['issuer'] ? '--issuer' : 'An OAuth login';
    throw new UsageError(
      `${what} needs --client-id: your app's client id at the provider (a native app registration).`,
      'login',
    );
  }
  const clientSecretFile = optionalString(args, 'client-secret-file');
  const clientSecret = readClientSecret(clientSecretFile, io.env);
  for (const name of POCKET_ONLY) {
    if (args.values[name] !== undefined)
      throw new UsageError(`--${name} is for Pocket; it does not go with --issuer.`, 'login');
  }
  const scope = optionalString(args, 'scope');
  // A preset knows its API; the profile keeps it so `call` resolves paths against it.
  const resource =
    optionalString(args, 'resource') ?? (target.preset ? targetProtocolOptions(target).resource : undefined);
  const device = Boolean(args.values['device']);
  const caFileArg = optionalString(args, 'ca-file');
  const caFile = caFileArg === undefined ? undefined : resolve(caFileArg);
  const redirectPort = wholeNumberOption(args, 'redirect-port', { command: 'login', min: 1, max: 65535 });
  if (redirectPort !== undefined && device)
    throw new UsageError('--redirect-port has no use with --device (nothing is redirected).', 'login');

  const settings: Profile = {
    provider: 'oauth2',
    issuer,
    clientId,
    ...targetFields(target),
    ...(clientSecretFile === undefined ? {} : { clientSecretFile }),
    ...(scope === undefined ? {} : { scope }),
    ...(resource === undefined ? {} : { resource }),
    store: options.storeKind,
    ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}),
    ...(caFile === undefined ? {} : { caFile }),
  };
  const store = openStore(options.storeKind, options.tokenFile, io.env);
  const { flow } = oauthFlow(
    {
      target,
      clientId,
      ...(clientSecret === undefined ? {} : { clientSecret }),
      store,
      storageKey: storageKeyOf(settings, options.profile),
      lock: openLock(options.storeKind, io.env),
      device,
      ...dpopChoice(args),
      noBrowser: Boolean(args.values['no-browser']),
      ...(scope === undefined ? {} : { scope }),
      ...(resource === undefined ? {} : { resource }),
      ...(options.timeoutMs ? { userTimeoutMs: options.timeoutMs } : {}),
      ...(options.inspect.observer ? { inspect: options.inspect.observer } : {}),
      ...(caFile === undefined ? {} : { caFile }),
      ...(redirectPort === undefined ? {} : { redirectPort }),
    },
    io,
  );
  try {
    const opener = !device && !args.values['no-browser'] && hasDisplay(io) ? 'browser' : 'person';
    const result = await runLogin(flow, io, {
      providerName: new URL(issuer).host,
      force: Boolean(args.values['force']),
      opener,
    });
    await writeProfile(io.env, options.profile, settings);
    return {
      summary: {
        provider: 'oauth2',
        profile: options.profile,
        issuer,
        clientId,
        username: result.username,
        store: store.location,
        reused: result.fromStore,
        expiresAt: result.expiresAt === null ? null : new Date(result.expiresAt).toISOString(),
      },
      text: loggedInText(issuer, result, options.profile, store.location),
    };
  } finally {
    flow.stop();
  }
}
