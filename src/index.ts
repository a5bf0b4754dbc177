/**
 * authmachine: an authorization-code login for native, desktop and command-line apps, run as an
 * XState v5 statechart with pluggable adapters.
 */
export { authMachine, type AuthMachine } from '../machines/auth-machine.js';
export type {
  AuthContext,
  AuthEmitted,
  AuthEvent,
  AuthInput,
  DevicePollResult,
  ExpectEvent,
  FlowConfig,
  FlowSession,
  PendingFetch,
  StartResult,
  TokenSet,
} from '../machines/types.js';
export { DEFAULT_FLOW_CONFIG } from '../machines/types.js';
export * from '../adapters/index.js';
export type { AuthProtocol, ProtocolContext } from './protocol.js';
export { createFlowActors, createFlowImplementations, type FlowAdapters } from './flow/actors.js';
export { AuthFlow, createAuthFlow, stateName, type AuthFlowOptions, type LoginResult } from './flow/auth-flow.js';
export { createPocketProtocol, type PocketProtocol, type PocketRequest, type PocketResult } from './pocket/protocol.js';
export {
  consumerKeyFingerprint,
  oauth2StorageKey,
  pocketStorageKey,
  storageKey,
  type StorageKeyParts,
} from './storage-key.js';
export { createOAuth2Protocol, type OAuth2Protocol, type OAuth2ProtocolOptions } from './oauth2/index.js';
export * from './inspect/index.js';
