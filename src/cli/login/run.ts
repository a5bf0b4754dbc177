/**
 * Runs a flow's login with the person kept informed (progress on stderr) and Ctrl-C cancelling
 * it cleanly. Shared by `login` and `demo`.
 */
import type { AuthFlow, LoginResult } from '../../flow/auth-flow.js';
import type { CliIO } from '../output/io.js';
import { showProgress, type UrlOpener } from './progress.js';

export interface RunLoginOptions {
  /** How progress lines name the provider ("Pocket", the issuer's host). */
  providerName: string;
  /** Log in again even when a stored login is usable. */
  force: boolean;
  /** Who opens the authorization URL, as the progress lines say. */
  opener: UrlOpener;
}

export async function runLogin<Req, Res>(
  flow: AuthFlow<Req, Res>,
  io: CliIO,
  { providerName, force, opener }: RunLoginOptions,
): Promise<LoginResult> {
  const stopProgress = showProgress(flow, io, { providerName, opener });
  const stopSignals = cancelOnSignal(() => flow.cancel());
  try {
    // Before the browser step: a locked keychain or read-only token folder found after the
    // person approved would throw their approval away.
    await flow.store.probe?.();
    return await flow.login({ force });
  } finally {
    stopSignals();
    stopProgress();
  }
}

/** Ctrl-C cancels the flow (aborting every request and closing the listener) instead of killing it mid-write. */
export function cancelOnSignal(cancel: () => void): () => void {
  const onSignal = () => cancel();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
