import { resolve } from 'node:path';
import { AuthError, isAuthError } from '../../../adapters/errors.js';
import { type ParsedArgs, UsageError } from '../command.js';
import type { CliIO } from '../output/io.js';
import { DEFAULT_POCKET_URL, pocketFlow, pocketFromProfile } from '../flows/pocket.js';
import { consumerKeyFingerprint } from '../../storage-key.js';
import { consumerKeyEntry, accountOf, storageKeyOf } from '../storage/account.js';
import { readProfile, writeProfile, type Profile } from '../storage/profile.js';
import { runLogin } from './run.js';
import { loggedInText } from './outcome-text.js';
import { hasDisplay } from '../flows/browser.js';
import { CONSUMER_KEY_ENV, readConsumerKey } from '../options/secrets.js';
import { openLock, openStore } from '../storage/stores.js';
import type { LoginOptions, LoginOutcome } from './options.js';

/** `authmachine login` for Pocket: consumer key from the environment or a file, never argv. */
export async function loginPocket(args: ParsedArgs, io: CliIO, options: LoginOptions): Promise<LoginOutcome> {
  const saved = await readProfile(io.env, options.profile);
  const baseUrl =
    (args.values['base-url'] as string | undefined) ??
    (saved?.provider === 'pocket' ? saved.baseUrl : DEFAULT_POCKET_URL);
  const keyFile = args.values['consumer-key-file'] as string | undefined;
  let consumerKey = await readConsumerKey(keyFile, io.env);
  let keySource = keyFile !== undefined ? `--consumer-key-file ${keyFile}` : `$${CONSUMER_KEY_ENV}`;
  if (!consumerKey && saved?.provider === 'pocket') {
    consumerKey =
      (await pocketFromProfile(accountOf(options.profile, saved, io.env)).catch(() => null))?.consumerKey ?? null;
    keySource = 'the key saved with your last login';
  }
  if (!consumerKey) {
    throw new UsageError(
      `Pocket needs your app's consumer key: set ${CONSUMER_KEY_ENV} or pass --consumer-key-file <path>. (\`authmachine emulator\` issues one for local use.)`,
      'login',
    );
  }
  const fingerprint = consumerKeyFingerprint(consumerKey);
  const caFileArg = args.values['ca-file'] as string | undefined;
  const caFile = caFileArg === undefined ? undefined : resolve(caFileArg);
  const settings: Profile = {
    provider: 'pocket',
    baseUrl,
    store: options.storeKind,
    ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}),
    keyFingerprint: fingerprint,
    ...(caFile === undefined ? {} : { caFile }),
  };
  const store = openStore(options.storeKind, options.tokenFile, io.env);
  const { flow } = pocketFlow(
    {
      baseUrl,
      consumerKey,
      store,
      storageKey: storageKeyOf(settings, options.profile),
      lock: openLock(options.storeKind, io.env),
      manual: Boolean(args.values['manual']),
      noBrowser: Boolean(args.values['no-browser']),
      ...(caFile === undefined ? {} : { caFile }),
      ...(options.timeoutMs ? { userTimeoutMs: options.timeoutMs } : {}),
      ...(options.inspect.observer ? { inspect: options.inspect.observer } : {}),
    },
    io,
  );
  try {
    const opener = !args.values['no-browser'] && hasDisplay(io) ? 'browser' : 'person';
    const result = await runLogin(flow, io, {
      providerName: 'Pocket',
      force: Boolean(args.values['force']),
      opener,
    }).catch((error: unknown) => {
      throw withKeySource(error, keySource);
    });
    await store.set(consumerKeyEntry(fingerprint), consumerKey).catch((error: unknown) => {
      throw isAuthError(error)
        ? error
        : new AuthError('ERR_STORAGE', `Could not save the consumer key to ${store.location}.`);
    });
    await writeProfile(io.env, options.profile, settings);
    return {
      summary: {
        provider: 'pocket',
        profile: options.profile,
        username: result.username,
        store: store.location,
        reused: result.fromStore,
      },
      text: loggedInText('Pocket', result, options.profile, store.location),
    };
  } finally {
    flow.stop();
  }
}

/** A rejected consumer key: tell the person which key was used (where it came from, never its value). */
function withKeySource(error: unknown, source: string): unknown {
  if (!isAuthError(error, 'ERR_INVALID_CLIENT')) return error;
  return new AuthError(error.code, `${error.message} The key came from ${source}.`, {
    retryable: error.retryable,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.providerCode === undefined ? {} : { providerCode: error.providerCode }),
  });
}
