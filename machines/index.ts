export { authMachine, type AuthMachine } from './auth-machine.js';
export { toFlowError, flowError } from './errors.js';
export { backoffDelay } from './retry.js';
export * from './types.js';
