/**
 * Reads the statechart's structure (states, nesting, transitions) from the machine itself, so
 * every drawing of it is derived and can never drift from the code.
 */
import type { AnyStateNode } from 'xstate';
import { authMachine } from '../../machines/auth-machine.js';

export interface GraphState {
  /** Machine id path, e.g. "auth.signingIn.awaitingUser". */
  id: string;
  key: string;
  initial: string | null;
  /** The state's `description:` in the machine. */
  description: string | null;
  children: GraphState[];
}

export interface GraphEdge {
  from: string;
  to: string;
  label: string;
}

export function readStates(node: AnyStateNode = authMachine.root): GraphState {
  const children = Object.values(node.states).map((child) => readStates(child as AnyStateNode));
  const initial = node.initial?.target?.[0]?.key ?? null;
  return { id: node.id, key: node.key, initial, description: node.description ?? null, children };
}

/** Every state's description, by state id (states without one are left out). */
export function stateDescriptions(node: AnyStateNode = authMachine.root): Record<string, string> {
  const own: Record<string, string> = node.description ? { [node.id]: node.description } : {};
  const all = { ...own };
  for (const child of Object.values(node.states)) Object.assign(all, stateDescriptions(child as AnyStateNode));
  return all;
}

/** "xstate.done.actor.loadToken" -> "done: loadToken"; "xstate.after.retryDelay.auth..." -> "after retryDelay". */
export function eventLabel(eventType: string): string {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType);
  if (done) return `done: ${done[1]}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  if (error) return `error: ${error[1]}`;
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  return eventType || 'always';
}

function guardName(guard: unknown): string | null {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  const type = (guard as { type?: unknown }).type;
  return typeof type === 'string' ? type : 'guard';
}

/** Every targeted transition, one edge per (source, target, label); guards in brackets. */
export function readEdges(node: AnyStateNode = authMachine.root): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const transitions = [...[...node.transitions.values()].flat(), ...(node.always ?? [])];
  for (const t of transitions) {
    for (const target of t.target ?? []) {
      const guard = guardName(t.guard);
      const label = eventLabel(t.eventType) + (guard ? ` [${guard.replace(/^xstate\.guard\./, '')}]` : '');
      if (!edges.some((e) => e.from === node.id && e.to === target.id && e.label === label)) {
        edges.push({ from: node.id, to: target.id, label });
      }
    }
  }
  for (const child of Object.values(node.states)) edges.push(...readEdges(child as AnyStateNode));
  return edges;
}
