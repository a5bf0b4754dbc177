/** OAuth 2.0 / OpenID Connect for native apps. */
export { createOAuth2Protocol } from './protocol.js';
export type { OAuth2Endpoints, OAuth2Protocol, OAuth2ProtocolOptions } from './protocol.js';
export type { ServerMetadata } from './discovery.js';
export type { ResourceRequest, ResourceResponse } from './resource.js';
export type { OAuth2DeviceSession, OAuth2RedirectSession } from './session.js';
export { DEFAULT_DEVICE_INTERVAL_MS } from './device.js';
