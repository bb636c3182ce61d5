import { describe, expect, it } from 'vitest';
import { missingModels, type ModelsPresent } from '../../src/lib/engines/availability';
import { NO_ROLES, type Roles } from '../../src/lib/engines/roles';

const have: ModelsPresent = { ggufs: ['a.gguf'], rejectedGgufs: ['cut.gguf'], endpoints: ['ep1'], webGpu: true, webllmCached: ['Qwen2.5-0.5B-Instruct-q4f16_1-MLC'] };

describe('missing models of roles', () => {
  it('names each role whose model is gone, and why', () => {
    const roles: Roles = { generator: { kind: 'wllama', file: 'gone.gguf' }, responder: { kind: 'remote', endpointId: 'deleted' }, judge: { kind: 'wllama', file: 'cut.gguf' } };
    expect(missingModels(roles, have)).toEqual([
      { role: 'generator', ref: roles.generator, reason: 'ggufMissing', name: 'gone.gguf' },
      { role: 'responder', ref: roles.responder, reason: 'endpointMissing', name: 'deleted' },
      { role: 'judge', ref: roles.judge, reason: 'ggufRejected', name: 'cut.gguf' },
    ]);
  });

  it('calls nothing missing that is present, unassigned, or not known yet', () => {
    const roles: Roles = { generator: { kind: 'wllama', file: 'a.gguf' }, responder: { kind: 'webllm', family: 'Qwen2.5-0.5B-Instruct' }, judge: null };
    expect(missingModels(roles, have)).toEqual([]);
    expect(missingModels(NO_ROLES, have)).toEqual([]);
    // Before the store is read and the cache scanned, nothing is called missing (no false alarm at boot).
    const unknown: ModelsPresent = { ggufs: null, rejectedGgufs: [], endpoints: [], webGpu: null, webllmCached: null };
    expect(missingModels({ ...roles, generator: { kind: 'wllama', file: 'x.gguf' } }, unknown)).toEqual([]);
  });

  it('a WebLLM model without WebGPU, or not downloaded, is missing', () => {
    const roles: Roles = { ...NO_ROLES, judge: { kind: 'webllm', family: 'Llama-3.2-1B-Instruct' } };
    expect(missingModels(roles, { ...have, webGpu: false })).toMatchObject([{ role: 'judge', reason: 'noWebGpu' }]);
    expect(missingModels(roles, have)).toMatchObject([{ role: 'judge', reason: 'webllmNotCached', name: 'Llama-3.2-1B-Instruct' }]);
  });
});
