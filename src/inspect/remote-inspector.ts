/**
 * Sends a flow's redacted inspection events to an inspector server running in another process
 * (`authmachine inspect`). Events are redacted here, before they leave the process, and sent in
 * small batches over loopback with Node's own fetch.
 */
import { createRedactingInspector, type RedactingInspector } from './redacting-inspector.js';
import type { RedactedInspectionEvent } from './inspection-event.js';
import { INGEST_KEY_HEADER } from './ingest.js';

/** What {@link createRemoteInspector} returns. */
export interface RemoteInspector {
  /** Pass this as `inspect` to createAuthFlow or createActor. */
  readonly inspect: RedactingInspector;
  /** Sends what is still queued; call before the process exits. */
  flush(): Promise<void>;
}

/**
 * Sends this process's flow, redacted, to an inspector server in another process (`authmachine
 * inspect`): `target.url` is the server's URL, `target.key` its ingest key. Events go in batches
 * every `batchMs` milliseconds (default 50); a server that is gone never breaks the flow.
 */
export function createRemoteInspector(target: { url: string; key: string }, batchMs = 50): RemoteInspector {
  const endpoint = new URL('ingest', target.url);
  let queue: RedactedInspectionEvent[] = [];
  let sending: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const send = () => {
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return sending;
    // One batch at a time, in order; a closed inspector must never break the flow.
    sending = sending.then(() =>
      fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INGEST_KEY_HEADER]: target.key },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(2_000),
      }).then(
        (response) => void response.arrayBuffer().catch(() => {}),
        () => {},
      ),
    );
    return sending;
  };

  const inspect = createRedactingInspector((event) => {
    queue.push(event);
    timer ??= setTimeout(send, batchMs);
  });
  return {
    inspect,
    flush() {
      if (timer) clearTimeout(timer);
      return send();
    },
  };
}
