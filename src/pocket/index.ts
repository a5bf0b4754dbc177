/** Pocket: the login protocol and the data API. */
export * from './actions.js';
export * from './config.js';
export * from './data.js';
export { pocketError, isPocketErrorResponse, type PocketEndpointKind } from './errors.js';
export * from './items.js';
export * from './protocol.js';
export * from './rate-limit.js';
export { POCKET_ACCEPT, POCKET_CONTENT_TYPE, decodePocketAnswer, encodePocketRequest } from './wire.js';
