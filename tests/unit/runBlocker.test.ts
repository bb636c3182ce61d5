import { describe, expect, it } from 'vitest';
import type { EngineRef, Roles } from '../../src/lib/engines/roles';
import { runBlocker, type RunBlockerInput } from '../../src/lib/state/runBlocker';
import { en } from '../../src/lib/i18n/en';
import { zh } from '../../src/lib/i18n/zh';

const gguf: EngineRef = { kind: 'wllama', file: 'qwen2.5-0.5b-instruct-q4_k_m.gguf' };
const remote: EngineRef = { kind: 'remote', endpointId: 'e1' };
const all = (ref: EngineRef): Roles => ({ generator: ref, responder: ref, judge: ref });
const ready = (over: Partial<RunBlockerInput> = {}): RunBlockerInput => ({
  otherTab: false,
  busy: false,
  firstOp: 'evol',
  seedCount: 10,
  roles: all(gguf),
  missingCount: 0,
  ggufStoreUnreadable: false,
  ...over,
});

describe('runBlocker', () => {
  it('lets a run start when every role has a model that is here', () => {
    expect(runBlocker(ready())).toBeNull();
  });

  it('keeps Start disabled, with its own reason, when the GGUF store cannot be read and a role uses a GGUF file', () => {
    // Review of issue 13: the store's read failed, `missing` stayed empty (nothing known), and Start was enabled.
    expect(runBlocker(ready({ ggufStoreUnreadable: true }))).toBe('run.ggufStoreUnreadable');
    expect(en['run.ggufStoreUnreadable']).toBeTruthy();
    expect(zh['run.ggufStoreUnreadable']).toBeTruthy();
  });

  it('does not block roles that use no GGUF file on an unreadable store', () => {
    expect(runBlocker(ready({ ggufStoreUnreadable: true, roles: all(remote) }))).toBeNull();
  });

  it('says the earlier reasons first', () => {
    expect(runBlocker(ready({ otherTab: true, ggufStoreUnreadable: true }))).toBe('safety.run.otherTab');
    expect(runBlocker(ready({ firstOp: null }))).toBe('run.noRecipe');
    expect(runBlocker(ready({ roles: { ...all(gguf), judge: null } }))).toBe('run.noRoles');
    expect(runBlocker(ready({ seedCount: 0 }))).toBe('run.noSeeds');
    expect(runBlocker(ready({ seedCount: 0, firstOp: 'selfInstruct' }))).toBeNull();
    expect(runBlocker(ready({ missingCount: 1, ggufStoreUnreadable: true }))).toBe('run.modelMissing');
  });

  it('a document recipe needs chunks, not seeds, and says where to add documents', () => {
    expect(runBlocker(ready({ firstOp: 'questions', chunkCount: 0 }))).toBe('run.noChunks');
    expect(runBlocker(ready({ firstOp: 'questions' }))).toBe('run.noChunks');
    expect(runBlocker(ready({ firstOp: 'questions', chunkCount: 4, seedCount: 0 }))).toBeNull();
    // After the chunks, the same reasons as any run.
    expect(runBlocker(ready({ firstOp: 'questions', chunkCount: 4, roles: { ...all(gguf), judge: null } }))).toBe('run.noRoles');
    expect(runBlocker(ready({ firstOp: 'questions', chunkCount: 0, otherTab: true }))).toBe('safety.run.otherTab');
    // Seeds alone never start a seed recipe's counterpart from chunks, nor the reverse.
    expect(runBlocker(ready({ seedCount: 0, chunkCount: 9 }))).toBe('run.noSeeds');
    expect(en['run.noChunks']).toContain('Documents screen');
    expect(zh['run.noChunks']).toContain('文档');
  });
});
