export * from './contracts.js';
export * from './errors.js';
export { MemoryTokenStore } from './memory-store.js';
export { systemClock, cryptoRandom, ManualClock, seededRandom } from './system-clock.js';
