/**
 * Whether keychain calls run in a helper child (keychain-process.ts), so that one that never
 * returns cannot keep the CLI alive. Its own module so that main() can turn it on without loading
 * the stores: `--help` loads none of them.
 */
let inChild = false;

/** Turned on by main() when the CLI runs as its own process; in-process hosts (the CLI tests) keep keytar in-process. */
export function runKeychainInChild(): void {
  inChild = true;
}

/** Whether {@link runKeychainInChild} was called. */
export function keychainInChild(): boolean {
  return inChild;
}
