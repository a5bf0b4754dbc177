/**
 * authmachine/server: the login machine as a server-side engine for hosts with many users and
 * several instances, on Redis (ioredis, an optional peer dependency loaded by createRedisClient
 * only: `npm install ioredis`).
 */
export {
  LoginService,
  createLoginService,
  type LoginServiceOptions,
  type BegunLogin,
  type CompletedLogin,
  type UserToken,
} from './login-service.js';
export { MAX_USER_ID_LENGTH } from './user-key.js';
export type { FlowStore, Lock, LockLease, TokenStore } from '../../adapters/contracts.js';
// The memory stores (tests, or a host of one instance), beside the Redis ones.
export { MemoryFlowStore } from '../../adapters/memory-flow-store.js';
export { MemoryLock } from '../../adapters/memory-lock.js';
export { MemoryTokenStore } from '../../adapters/memory-store.js';
export { createRedisClient, redisLocation, type RedisClientOptions } from '../../adapters/redis-client.js';
export { RedisFlowStore, type RedisStoreOptions } from '../../adapters/redis-flow-store.js';
export { RedisTokenStore, type RedisTokenStoreOptions } from '../../adapters/redis-token-store.js';
export { RedisLock, type RedisLockOptions } from '../../adapters/redis-lock.js';
