/**
 * The embedded Pocket emulator: the only Pocket server there is since the real API was switched
 * off. Start it with `startPocketEmulator()` and point any Pocket client at its `url`.
 */
export { startPocketEmulator } from './server.js';
export type { PocketEmulator, PocketEmulatorOptions, EmulatorLogEvent } from './server.js';
export type { ApprovalMode } from './context.js';
export type { EmulatorEndpoint, EmulatorFault } from './faults.js';
export type { RateLimitOptions } from './rate-limit.js';
export type { IssueKeyOptions, KeyPermission, DataEndpointName } from './store.js';
export type { PocketItemRecord, PocketTags } from './item-types.js';
export { POCKET_ERRORS, type PocketErrorCode } from './responses.js';
export { DEMO_ITEMS, DEMO_SAMPLE_SINCE } from './demo-items.js';
export {
  SyntheticItems,
  SYNTHETIC_DOMAIN,
  SYNTHETIC_ID_BASE,
  SYNTHETIC_NEWEST_TIME,
  SYNTHETIC_STEP_SECONDS,
} from './synthetic-items.js';
