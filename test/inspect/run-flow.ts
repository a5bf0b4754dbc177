/**
 * Runs one whole login with the secret protocol and an inspection observer: LOGIN, the host
 * answering the redirect itself (receiver null), one authenticated fetch, then LOGOUT.
 */
import type { InspectionEvent, Observer } from 'xstate';
import { createAuthFlow, type AuthFlow } from '../../src/flow/auth-flow.js';
import { nullHttp } from '../helpers/fake-protocol.js';
import { createSecretProtocol, SECRETS } from './secret-protocol.js';

export interface FlowRunOptions {
  inspect: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Called once awaitingUser is reached, before the callback is sent. */
  beforeCallback?: () => Promise<void>;
  code?: string;
  /** Stop after login (no fetch, no logout). */
  loginOnly?: boolean;
}

export async function runSecretFlow(options: FlowRunOptions): Promise<AuthFlow<{ path: string }, unknown>> {
  const flow = createAuthFlow({
    protocol: createSecretProtocol(),
    http: nullHttp,
    receiver: null,
    inspect: options.inspect,
  });
  flow.on('authorizationUrl', () => {
    // Emitted mid-transition: let the machine settle in awaitingUser first.
    setImmediate(() => {
      void (options.beforeCallback ?? (async () => {}))().then(() =>
        flow.callback({ code: options.code ?? SECRETS.code, state: SECRETS.state }),
      );
    });
  });
  try {
    await flow.login();
    if (!options.loginOnly) {
      await flow.fetch({ path: '/items' });
      await flow.logout();
    }
  } finally {
    if (options.loginOnly !== true) flow.stop();
  }
  return flow;
}
