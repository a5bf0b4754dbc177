/**
 * State ids from a machine snapshot's `value`: {signingIn: {awaitingUser: "waitingForRedirect"}}
 * under machine "auth" is "auth.signingIn.awaitingUser.waitingForRedirect", the id the diagrams
 * give the same state.
 */

/** The ids of the active leaf states (one per parallel region). */
export function leafStateIds(value: unknown, machineId: string): string[] {
  if (typeof value === 'string') return [`${machineId}.${value}`];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => {
    const id = `${machineId}.${key}`;
    const deeper = leafStateIds(inner, id);
    return deeper.length > 0 ? deeper : [id];
  });
}

/** A leaf id and all its ancestors, the machine itself excluded: what a diagram highlights. */
export function withAncestors(leafIds: readonly string[]): string[] {
  const out = new Set<string>();
  for (const leaf of leafIds) {
    const parts = leaf.split('.');
    for (let i = 2; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
  }
  return [...out];
}
