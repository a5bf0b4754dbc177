/**
 * Tells the person what the login is doing while they wait: one line per step on stderr, the
 * authorization URL always (browsers fail to open over SSH), a countdown while waiting for them,
 * and each retry with its reason. Never prints a secret: it reads state names, the URL the person
 * must open, and error codes.
 */
import type { AuthFlow } from '../../flow/auth-flow.js';
import { stateName } from '../../flow/auth-flow.js';
import type { CliIO } from '../output/io.js';

const STEP_TEXT: Record<string, string> = {
  checkingStore: 'Looking for a stored login',
  preparing: 'Getting ready to receive your approval',
  requestingToken: 'Asking the provider to start a login',
  exchanging: 'Exchanging the approval for a token',
  saving: 'Saving the token',
  loggingOut: 'Logging out',
};

/** Who opens the authorization URL: the system browser, the demo's built-in client, or the person. */
export type UrlOpener = 'browser' | 'simulated' | 'person';

const OPENS: Record<UrlOpener, string> = {
  browser: ' (it should open by itself)',
  simulated: " (the demo's built-in client opens it now)",
  person: '',
};

/** What a process says while another authmachine logs in to the same account. */
export function waitingText(holder: number | null): string {
  const who = holder === null ? 'another authmachine' : `another authmachine (pid ${holder})`;
  return `Waiting for ${who} that is logging in to this account; its login will be used (Ctrl-C to cancel)...`;
}

export function showProgress<Req, Res>(
  flow: AuthFlow<Req, Res>,
  io: CliIO,
  { providerName, opener }: { providerName: string; opener: UrlOpener },
): () => void {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  let last = '';
  let waitedForOther = false;
  let countdown: NodeJS.Timeout | undefined;
  const stopCountdown = () => {
    if (countdown) clearInterval(countdown);
    countdown = undefined;
  };

  const subs = [
    flow.on('authorizationUrl', (e) => {
      if (e.userCode) say(`To approve, open ${e.url} and enter the code: ${e.userCode}`);
      else say(`To approve access, open this URL in your browser${OPENS[opener]}:\n  ${e.url}`);
    }),
    flow.on('waitingForLogin', (e) => {
      waitedForOther = true;
      say(waitingText(e.holder));
    }),
    flow.on('browserFailed', () => say('Could not open a browser here; open the URL above yourself.')),
    flow.on('strayCallback', (e) =>
      say(
        e.providerError === null
          ? "Ignored a request to the redirect listener that did not carry this login's state."
          : `${providerName} answered with the error "${e.providerError}", but without this login's state, so it cannot be trusted to end the login (anyone on this machine could have sent it). Still waiting for a trusted answer.`,
      ),
    ),
    flow.on('retrying', (e) =>
      say(
        `${providerName} did not answer as expected (${e.code}); retrying in ${Math.round(e.delayMs / 100) / 10} s (try ${e.attempt + 1}).`,
      ),
    ),
    flow.actor.subscribe((snapshot) => {
      const name = stateName(snapshot.value);
      const leaf = JSON.stringify(snapshot.value).includes('"saving"') ? 'saving' : name;
      if (leaf === last) return;
      const wasCounting = countdown !== undefined;
      last = leaf;
      stopCountdown();
      if (io.interactive && wasCounting) io.stderr.write('\r\x1b[K');
      if (leaf === 'preparing' && waitedForOther) {
        waitedForOther = false;
        say('The other login ended without a usable login (declined, failed or stopped); starting this one.');
      }
      if (leaf === 'awaitingUser') {
        const deadline = Date.now() + snapshot.context.userDeadlineMs;
        const tell = () => {
          const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
          const text = `Waiting for you to approve access (${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left, Ctrl-C to cancel)...`;
          io.stderr.write(io.interactive ? `\r${text}` : `${text}\n`);
        };
        tell();
        countdown = setInterval(tell, io.interactive ? 1_000 : 30_000);
        countdown.unref();
      } else {
        const text = leaf === 'saving' ? `Saving the token to ${flow.store.location}` : STEP_TEXT[leaf];
        if (text) say(`${text}...`);
      }
    }),
  ];
  return () => {
    stopCountdown();
    for (const s of subs) s.unsubscribe();
  };
}
