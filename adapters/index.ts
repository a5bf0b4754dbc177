export * from './contracts.js';
export * from './errors.js';
export { MemoryTokenStore } from './memory-store.js';
export { systemClock, cryptoRandom, ManualClock, seededRandom } from './system-clock.js';
export { AxiosHttpClient, type AxiosHttpClientOptions } from './http-axios.js';
export { FetchHttpClient, type FetchHttpClientOptions } from './http-fetch.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_REDIRECTS, type HttpClientOptions } from './http-shared.js';
export { SystemBrowserOpener, type SystemBrowserOpenerOptions } from './browser-open.js';
export { PrintBrowserOpener, type PrintBrowserOpenerOptions } from './browser-print.js';
