import type { EngineRef } from '../../lib/engines/roles';
import { CATALOGUE } from '../../lib/engines/webllm/catalogue';
import type { EnginesState } from '../../lib/state/engines.svelte';

export interface EngineOption {
  ref: EngineRef;
  label: string;
  group: 'wllama' | 'webllm' | 'remote';
}

/** Every engine the user can pick for a role or the playground, grouped by backend. */
export function engineOptions(engines: EnginesState): EngineOption[] {
  const out: EngineOption[] = engines.ggufs.map((g) => ({ ref: { kind: 'wllama', file: g.name }, label: g.name, group: 'wllama' }));
  if (engines.gpu && 'ok' in engines.gpu) {
    for (const c of CATALOGUE) out.push({ ref: { kind: 'webllm', family: c.family }, label: c.label, group: 'webllm' });
  }
  for (const e of engines.endpoints) out.push({ ref: { kind: 'remote', endpointId: e.id }, label: `${e.name} · ${e.model}`, group: 'remote' });
  return out;
}
