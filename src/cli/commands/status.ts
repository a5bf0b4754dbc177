import { decodeTokenSet, isUsable } from '../../flow/token-codec.js';
import { accountOf } from '../storage/account.js';
import { loginCommand, profileNote } from '../storage/login-needed.js';
import type { Command } from '../command.js';
import { JSON_OPTION, PROFILE_OPTION } from '../options/common.js';
import { EXIT } from '../output/exit-codes.js';
import { write } from '../output/io.js';
import { listProfileNames, profileName, PROFILE_ENV, readProfile, type Profile } from '../storage/profile.js';

interface LoginStatus {
  info: Record<string, unknown>;
  text: string;
  usable: boolean;
}

/** One profile's login, read from its store: no network, no HTTP library, no machine. */
async function statusOf(name: string, profile: Profile, env: NodeJS.ProcessEnv, now: number): Promise<LoginStatus> {
  const account = accountOf(name, profile, env);
  const where =
    profile.provider === 'pocket' ? `Pocket at ${profile.baseUrl}` : `${profile.issuer} (client ${profile.clientId})`;
  const base = { profile: name, provider: profile.provider };
  const secret = await account.store.get(account.storageKey);
  if (secret === null)
    return {
      info: { loggedIn: false, ...base },
      text: `Not logged in to ${where}${profileNote(name)}.`,
      usable: false,
    };
  const token = decodeTokenSet(secret, account.store.location);
  // The flow's own rule (an expired token still counts while its refresh token is good).
  const usable = isUsable(token, now);
  const expired = token.expiresAt !== undefined && token.expiresAt <= now;
  const info = {
    loggedIn: usable,
    ...base,
    username: token.username ?? null,
    store: account.store.location,
    expiresAt: token.expiresAt ? new Date(token.expiresAt).toISOString() : null,
    refreshable: Boolean(token.refreshToken),
  };
  if (!usable)
    return {
      info,
      text: `The login to ${where}${profileNote(name)} has expired. Run \`${loginCommand(name)}\` again.`,
      usable,
    };
  const expiry = token.expiresAt
    ? `; the access token ${expired ? 'expired' : 'expires'} ${new Date(token.expiresAt).toISOString()} (${relative(token.expiresAt - now)})${token.refreshToken ? ', renewed automatically' : ''}`
    : '';
  return {
    info,
    text: `Logged in to ${where}${token.username ? ` as ${token.username}` : ''}${profileNote(name)}. Token kept in ${account.store.location}${expiry}.`,
    usable,
  };
}

function relative(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const span = minutes < 1 ? 'less than a minute' : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

/** Reads the store only: no network, no HTTP library loaded. */
export const status: Command = {
  name: 'status',
  usage: 'authmachine status [--profile NAME] [--json]',
  details: [
    'Lists every stored login, one line per profile, with when its access token expires. With',
    `--profile (or $${PROFILE_ENV}) only that profile. Exits 0 when the profile asked for (else any`,
    'profile) has a usable login, 3 when not. Makes no network request.',
  ].join('\n'),
  options: { ...PROFILE_OPTION, ...JSON_OPTION },
  async run(args, io) {
    const chosen = args.values['profile'] !== undefined || Boolean(io.env[PROFILE_ENV]);
    const now = Date.now();
    const json = Boolean(args.values['json']);
    if (chosen) {
      const name = profileName(args.values['profile'], io.env, 'status');
      const profile = await readProfile(io.env, name);
      if (!profile) {
        await write(
          io.stdout,
          json
            ? `${JSON.stringify({ loggedIn: false, profile: name })}\n`
            : `Not logged in${profileNote(name)}. Run \`${loginCommand(name)}\`.\n`,
        );
        return EXIT.needsLogin;
      }
      const one = await statusOf(name, profile, io.env, now);
      await write(io.stdout, json ? `${JSON.stringify(one.info)}\n` : `${one.text}\n`);
      return one.usable ? EXIT.ok : EXIT.needsLogin;
    }
    // One profile that cannot be used (refused, unreadable) must not hide the others' logins.
    type Outcome = { name: string; status: LoginStatus } | { name: string; error: unknown } | null;
    const outcomes = await Promise.all(
      (await listProfileNames(io.env)).map(async (name): Promise<Outcome> => {
        try {
          const profile = await readProfile(io.env, name);
          return profile === null ? null : { name, status: await statusOf(name, profile, io.env, now) };
        } catch (error) {
          return { name, error };
        }
      }),
    );
    const all = outcomes.flatMap((o) => (o !== null && 'status' in o ? [o.status] : []));
    const failed = outcomes.flatMap((o) => (o !== null && 'error' in o ? [o] : []));
    const [firstFailure] = failed;
    if (all.length === 0 && firstFailure) throw firstFailure.error;
    for (const { name, error } of failed)
      await write(io.stderr, `authmachine: profile ${name} skipped: ${(error as Error).message}\n`);
    if (all.length === 0) {
      await write(
        io.stdout,
        json ? '{"loggedIn":false,"logins":[]}\n' : 'Not logged in. Run `authmachine login` or `authmachine demo`.\n',
      );
      return EXIT.needsLogin;
    }
    const usable = all.some((s) => s.usable);
    await write(
      io.stdout,
      json
        ? `${JSON.stringify({ loggedIn: usable, logins: all.map((s) => s.info) })}\n`
        : `${all.map((s) => s.text).join('\n')}\n`,
    );
    return usable ? EXIT.ok : EXIT.needsLogin;
  },
};
