/**
 * Watching a flow without leaking it: the redacting inspection layer, the Stately inspector
 * bridge and the local inspector page.
 */
export {
  createRedactingInspector,
  type RedactingInspector,
  type RedactingInspectorOptions,
} from './redacting-inspector.js';
export type {
  RedactedActionEvent,
  RedactedActorEvent,
  RedactedEventEvent,
  RedactedInspectionEvent,
  RedactedMicrostepEvent,
  RedactedSnapshot,
  RedactedSnapshotEvent,
  RedactedTransition,
} from './inspection-event.js';
export {
  createRedactor,
  redactValue,
  scrubQueryParams,
  MIN_REMEMBERED_SECRET_LENGTH,
  type JsonValue,
  type Redactor,
} from './redactor.js';
export { DENIED_KEYS, SECRET_CONTAINER_KEYS, REDACTED, isDeniedKey, isDeniedParam } from './secret-keys.js';
export { leafStateIds } from './state-ids.js';
export {
  createStatelyInspect,
  toStatelyInspectionEvent,
  type StatelyInspectOptions,
  type StatelyInspection,
} from './stately.js';
export { loadStatelyModule, STATELY_PACKAGE, type StatelyInspector, type StatelyModule } from './stately-module.js';
export { startInspectorServer, type InspectorServer, type InspectorServerOptions } from './inspector-server.js';
export type { InspectorStep } from './inspector-history.js';
export { createRemoteInspector, type RemoteInspector } from './remote-inspector.js';
export { INGEST_KEY_HEADER } from './ingest.js';
