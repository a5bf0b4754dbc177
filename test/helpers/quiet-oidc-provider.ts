/**
 * oidc-provider prints warnings about choices a test server makes on purpose (the in-memory
 * adapter, generated signing keys, the development login pages, the default revocation policy and device pages,
 * an older Node.js than it prefers). Each test process would repeat them: they are dropped here.
 * Any other warning it prints still shows. Import this before oidc-provider, so the one it prints
 * while loading is caught too.
 */
const EXPECTED = [
  'oidc-provider WARNING: Unsupported runtime.',
  'oidc-provider WARNING: a quick start development-only in-memory adapter is used',
  'oidc-provider WARNING: quick start development-only signing keys are used',
  'oidc-provider WARNING: a quick start development-only feature devInteractions is enabled',
  // The default helpers of features a test server leaves as they are (revocation policy, the
  // device flow's pages): "default features.<name> function called, you SHOULD change it".
  'oidc-provider NOTICE: default features.',
];

/** How many expected notices were dropped in this process (for the test that proves the filter). */
export const dropped = { count: 0 };

function filtered(write: (...args: unknown[]) => void) {
  return (...args: unknown[]) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes, which start with ESC.
    const text = typeof args[0] === 'string' ? args[0].replace(/\u001b\[[0-9;]*m/g, '') : '';
    if (EXPECTED.some((prefix) => text.startsWith(prefix))) {
      dropped.count += 1;
      return;
    }
    write(...args);
  };
}

console.warn = filtered(console.warn.bind(console));
console.info = filtered(console.info.bind(console));
