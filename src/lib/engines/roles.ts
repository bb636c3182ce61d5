/**
 * Which engine serves each role of the pipeline. A reference, not an engine: engines are built
 * from references when a run or the playground needs them.
 */
export type EngineRef =
  | { kind: 'webllm'; family: string }
  | { kind: 'wllama'; file: string }
  | { kind: 'remote'; endpointId: string };

export const ROLES = ['generator', 'responder', 'judge'] as const;
export type Role = (typeof ROLES)[number];
export type Roles = Record<Role, EngineRef | null>;

export const NO_ROLES: Roles = { generator: null, responder: null, judge: null };

export function refKey(r: EngineRef | null): string {
  if (!r) return '';
  return r.kind === 'webllm' ? `webllm:${r.family}` : r.kind === 'wllama' ? `wllama:${r.file}` : `remote:${r.endpointId}`;
}

export function parseRefKey(k: string): EngineRef | null {
  const i = k.indexOf(':');
  if (i < 0) return null;
  const kind = k.slice(0, i);
  const v = k.slice(i + 1);
  if (kind === 'webllm') return { kind, family: v };
  if (kind === 'wllama') return { kind, file: v };
  if (kind === 'remote') return { kind, endpointId: v };
  return null;
}

/**
 * Judging one's own output inflates scores (self-preference): true when the judge is the same
 * model as the generator or the responder.
 */
export function selfJudging(roles: Roles): boolean {
  const j = refKey(roles.judge);
  return !!j && (j === refKey(roles.generator) || j === refKey(roles.responder));
}
