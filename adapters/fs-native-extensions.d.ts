// The package ships no types; this is the one function the file lock uses.
declare module 'fs-native-extensions' {
  /** Takes an exclusive (or shared) kernel lock on `fd` without waiting; false when another holds it. */
  export function tryLock(fd: number, offset?: number, length?: number, options?: { shared?: boolean }): boolean;
}
