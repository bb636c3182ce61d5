import { ROLES, type EngineRef, type Role, type Roles } from './roles';

/**
 * Why a role's model cannot be used now:
 *   ggufMissing     the GGUF file is no longer in this browser's store
 *   ggufRejected    the file is there but the reader refuses it (truncated, not a GGUF)
 *   endpointMissing the endpoint was deleted
 *   noWebGpu        a WebLLM model on a browser without WebGPU
 *   webllmNotCached a WebLLM model that is not downloaded (cache scanned, not found)
 */
export type MissingReason = 'ggufMissing' | 'ggufRejected' | 'endpointMissing' | 'noWebGpu' | 'webllmNotCached';

export interface MissingModel {
  role: Role;
  ref: EngineRef;
  reason: MissingReason;
  /** The file name, endpoint id or WebLLM family, for the message. */
  name: string;
}

/** What this browser has, as far as it is known (null: not known yet, so nothing is called missing). */
export interface ModelsPresent {
  ggufs: string[] | null;
  rejectedGgufs: string[];
  endpoints: string[];
  /** Whether WebGPU works here (null: not probed yet). */
  webGpu: boolean | null;
  /** WebLLM model ids in the cache (null: not scanned). */
  webllmCached: string[] | null;
}

/**
 * The roles whose assigned model is missing, in role order. An unassigned role is not listed
 * (Run says "assign a model to every role" for that). Pure: the Models and Run screens and the
 * run blocker read it through EnginesState.
 */
export function missingModels(roles: Roles, have: ModelsPresent): MissingModel[] {
  const out: MissingModel[] = [];
  for (const role of ROLES) {
    const ref = roles[role];
    if (!ref) continue;
    if (ref.kind === 'wllama') {
      if (have.rejectedGgufs.includes(ref.file)) out.push({ role, ref, reason: 'ggufRejected', name: ref.file });
      else if (have.ggufs && !have.ggufs.includes(ref.file)) out.push({ role, ref, reason: 'ggufMissing', name: ref.file });
    } else if (ref.kind === 'remote') {
      if (!have.endpoints.includes(ref.endpointId)) out.push({ role, ref, reason: 'endpointMissing', name: ref.endpointId });
    } else if (have.webGpu === false) {
      out.push({ role, ref, reason: 'noWebGpu', name: ref.family });
    } else if (have.webllmCached && !have.webllmCached.some((id) => id === ref.family || id.startsWith(`${ref.family}-`))) {
      out.push({ role, ref, reason: 'webllmNotCached', name: ref.family });
    }
  }
  return out;
}
