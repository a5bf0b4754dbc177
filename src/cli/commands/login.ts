import { resolve } from 'node:path';
import { type Command, UsageError } from '../command.js';
import { JSON_OPTION, PROFILE_OPTION, STORE_OPTIONS } from '../options/common.js';
import { EXIT } from '../output/exit-codes.js';
import { inspectOption } from '../options/inspect.js';
import { write } from '../output/io.js';
import { loginPocket } from '../login/pocket.js';
import { profileName, readProfile } from '../storage/profile.js';
import { namesServer, withSavedOAuthLogin } from '../login/saved-login.js';
import { openLock, parseStoreKind } from '../storage/stores.js';
import { holdProfileLogin } from '../storage/first-login.js';
import type { LoginOutcome } from '../login/options.js';
import { secondsOption } from '../options/number.js';
import { wantsOAuth } from '../flows/oauth-target.js';

export const login: Command = {
  name: 'login',
  usage:
    'authmachine login [--base-url URL] [--consumer-key-file PATH] | --issuer URL | --provider NAME | --token-endpoint URL ... --client-id ID [options]',
  details: [
    "Opens the provider's approval page in your browser (the URL is always printed too: open it",
    'yourself over SSH), waits on a one-shot listener at http://127.0.0.1:<random port>/callback,',
    "checks that what comes back carries this login's own state, exchanges it for a token and keeps",
    'the token in the system keychain. A stored, unexpired login is reused unless --force.',
    'With no server named (no --issuer, --provider, --*-endpoint, --base-url), a profile saved by an',
    'OAuth login logs in again to that server with its saved client, scope, store and files.',
    '',
    'OAuth: the tokens are bound to a new key (DPoP, RFC 9449), kept with them in the store, when the',
    'issuer advertises DPoP or with --dpop; a copied token is then useless without the key, and so it is',
    'to other tools: `authmachine token` refuses it. --no-dpop gets bearer tokens for them.',
    '',
    "--provider github|google|microsoft|gitlab knows the provider's endpoints, habits and default",
    'scopes. Servers without metadata take --token-endpoint (and --authorization-endpoint,',
    '--device-authorization-endpoint, --revocation-endpoint) instead of discovery. A client secret',
    'that an "installed app" registration requires comes from $AUTHMACHINE_CLIENT_SECRET or',
    "--client-secret-file, never from the command line; it is sent as the server's metadata says.",
    '',
    'Pocket: the consumer key comes from $AUTHMACHINE_POCKET_CONSUMER_KEY or --consumer-key-file,',
    'never from the command line (anyone on the machine can read process arguments).',
  ].join('\n'),
  options: {
    'base-url': {
      type: 'string',
      valueName: 'url',
      description:
        'Pocket server (default https://getpocket.com), or where a --provider lives (self-hosted GitLab, GitHub Enterprise); http only on loopback',
    },
    'consumer-key-file': { type: 'string', valueName: 'path', description: 'File holding the Pocket consumer key' },
    manual: {
      type: 'boolean',
      description: 'No listener: press Enter once you approved (as the original Pocket script did)',
    },
    issuer: { type: 'string', valueName: 'url', description: 'OAuth 2.0 / OpenID Connect issuer (discovery is used)' },
    provider: {
      type: 'string',
      valueName: 'github|google|microsoft|gitlab',
      description: 'A provider preset: its endpoints, habits and default scopes (see README "Providers")',
    },
    tenant: {
      type: 'string',
      valueName: 'tenant',
      description: 'With --provider microsoft: common (default), organizations, consumers, a tenant id or domain',
    },
    'authorization-endpoint': {
      type: 'string',
      valueName: 'url',
      description: 'For servers without metadata: the authorization endpoint (no discovery)',
    },
    'token-endpoint': {
      type: 'string',
      valueName: 'url',
      description: 'For servers without metadata: the token endpoint (no discovery)',
    },
    'device-authorization-endpoint': {
      type: 'string',
      valueName: 'url',
      description: 'For servers without metadata: the device authorization endpoint (RFC 8628)',
    },
    'revocation-endpoint': {
      type: 'string',
      valueName: 'url',
      description: 'For servers without metadata: the revocation endpoint (RFC 7009)',
    },
    'client-secret-file': {
      type: 'string',
      valueName: 'path',
      description:
        "File holding an installed app's client secret (or set $AUTHMACHINE_CLIENT_SECRET; never on the command line)",
    },
    'client-id': {
      type: 'string',
      valueName: 'id',
      description: "Your app's client id at the issuer (public, native client)",
    },
    scope: {
      type: 'string',
      valueName: 'scopes',
      description: 'Space-separated scopes (default "openid offline_access")',
    },
    resource: { type: 'string', valueName: 'url', description: 'Base URL of the API that `authmachine call` talks to' },
    device: { type: 'boolean', description: 'Device grant: show a code to enter on another device (no browser here)' },
    dpop: {
      type: 'boolean',
      description:
        'Bind the tokens to a key kept in the store (DPoP, RFC 9449) even if the issuer does not advertise it',
    },
    'no-dpop': {
      type: 'boolean',
      description:
        'Bearer tokens even if the issuer advertises DPoP, for tools that send the token themselves (`authmachine token`)',
    },
    force: { type: 'boolean', description: 'Log in again even if a stored login is usable' },
    'no-browser': { type: 'boolean', description: 'Do not try to open a browser; only print the URL' },
    timeout: { type: 'string', valueName: 'seconds', description: 'How long to wait for your approval (default 300)' },
    'ca-file': {
      type: 'string',
      valueName: 'path',
      description: 'PEM file of extra certificate authorities to trust for https (kept for later commands)',
    },
    'redirect-port': {
      type: 'string',
      valueName: 'n',
      description: 'Listen on this fixed loopback port, for servers that match the redirect URI exactly',
    },
    inspect: { type: 'boolean', description: 'Watch the flow live in the local inspector page' },
    ...STORE_OPTIONS,
    ...PROFILE_OPTION,
    ...JSON_OPTION,
  },
  examples: [
    'AUTHMACHINE_POCKET_CONSUMER_KEY=... authmachine login',
    'authmachine login --base-url http://127.0.0.1:8080 --consumer-key-file ~/.config/authmachine/emulator-consumer-key',
    'authmachine login --issuer https://id.example.com --client-id my-cli --scope "openid profile offline_access"',
    'authmachine login --issuer https://id.example.com --client-id my-cli --device',
    'authmachine login --profile work --issuer https://id.example.com --client-id my-cli --store file',
    'authmachine login --provider github --client-id Iv1.0123abcd --device',
    'AUTHMACHINE_CLIENT_SECRET=... authmachine login --provider google --client-id 123-abc.apps.googleusercontent.com',
    'authmachine login --provider microsoft --tenant organizations --client-id 00000000-0000-0000-0000-000000000000',
  ],
  async run(commandLine, io) {
    const profile = profileName(commandLine.values['profile'], io.env, 'login');
    // No server named: a saved OAuth login is logged in to again, as it was (login/saved-login.ts).
    const args = namesServer(commandLine)
      ? commandLine
      : (withSavedOAuthLogin(commandLine, await readProfile(io.env, profile)) ?? commandLine);
    const storeKind = parseStoreKind(args.values['store']) ?? 'keychain';
    const given = args.values['token-file'] as string | undefined;
    // Stored absolute: later commands may run from another folder.
    const tokenFile = given === undefined ? undefined : resolve(given);
    if (tokenFile && storeKind !== 'file') throw new UsageError('--token-file goes with --store file.', 'login');
    const timeoutMs = secondsOption(args, 'timeout', { command: 'login' });
    const inspect = await inspectOption(io, { enabled: Boolean(args.values['inspect']) });
    const options = { profile, storeKind, tokenFile, timeoutMs, inspect };
    // Until the profile is saved, `token --wait` can find this login only by the profile's name.
    const lease = await holdProfileLogin(openLock(storeKind, io.env), profile);
    let outcome: LoginOutcome;
    try {
      outcome = wantsOAuth(args)
        ? await (await import('../login/oauth.js')).loginOAuth(args, io, options)
        : await loginPocket(args, io, options);
    } finally {
      await lease?.release();
    }
    await write(io.stdout, args.values['json'] ? `${JSON.stringify(outcome.summary)}\n` : `${outcome.text}\n`);
    await inspect.finish();
    return EXIT.ok;
  },
};
