import { describe, expect, it } from 'vitest';
import { autoAssignRoles } from '../../src/lib/engines/autoAssign';
import { CHAT_MODELS, recommendChatModels, seedsLanguage, webllmFamiliesKnown, type DeviceProfile } from '../../src/lib/engines/catalogue';
import { CATALOGUE, modelId, recordOf } from '../../src/lib/engines/webllm/catalogue';
import { NO_ROLES } from '../../src/lib/engines/roles';
import { detectLang } from '../../src/lib/text/language';
import { hfFileUrl } from '../../src/lib/engines/modelSource';
import { contentSecurityPolicy } from '../../vite.config';

const GIB = 1024 ** 3;
const device = (d: Partial<DeviceProfile>): DeviceProfile => ({ gpu: null, memoryGb: null, cores: null, ...d });

describe('the chat-model catalogue', () => {
  it('holds the models the issue asks for, each with a GGUF file, licence, context and languages', () => {
    const labels = CHAT_MODELS.map((m) => m.id);
    for (const id of ['qwen2.5-0.5b', 'qwen2.5-1.5b', 'qwen2.5-3b', 'qwen3-0.6b', 'qwen3-1.7b', 'qwen3-4b', 'llama-3.2-1b', 'llama-3.2-3b', 'smollm2-360m', 'smollm2-1.7b', 'phi-3.5-mini', 'gemma-2-2b']) {
      expect(labels).toContain(id);
    }
    expect(new Set(labels).size).toBe(labels.length);
    for (const m of CHAT_MODELS) {
      expect(m.gguf.repo).toMatch(/^[\w.-]+\/[\w.-]+-GGUF$/);
      expect(m.gguf.file).toMatch(/q4_k_m\.gguf$/i);
      expect(m.gguf.bytes).toBeGreaterThan(100e6);
      expect(m.licence).not.toBe('');
      expect(m.contextLength).toBeGreaterThanOrEqual(4096);
      expect(m.languages).toContain('en');
      expect(m.confirmed).toMatch(/huggingface\.co\//);
      // Chinese written well is the Qwen families' mark.
      expect(m.chinese).toBe(m.id.startsWith('qwen'));
    }
  });

  it("names WebLLM families that exist in WebLLM's prebuilt list (both precisions)", () => {
    expect(webllmFamiliesKnown()).toBe(true);
    for (const m of CHAT_MODELS.filter((x) => x.webllmFamily)) {
      expect(CATALOGUE.some((c) => c.family === m.webllmFamily)).toBe(true);
      expect(recordOf(modelId(m.webllmFamily!, 'q4f16_1'))).toBeDefined();
      expect(recordOf(modelId(m.webllmFamily!, 'q4f32_1'))).toBeDefined();
    }
  });
});

describe('the recommendation for this device and these seeds', () => {
  it('a WebGPU adapter with room for the weights gets WebLLM models; Chinese seeds get Qwen', () => {
    const gpu = { maxBufferBytes: 4 * GIB, shaderF16: true };
    const en = recommendChatModels(device({ gpu, memoryGb: 8, cores: 8 }), 'en');
    expect(en.every((r) => r.engine === 'webllm' && r.entry.webllmFamily)).toBe(true);
    const zh = recommendChatModels(device({ gpu, memoryGb: 8, cores: 8 }), 'zh');
    expect(zh.every((r) => r.engine === 'webllm' && r.entry.chinese)).toBe(true);
    expect(zh[0]!.entry.id).toBe('qwen2.5-3b');
    expect(recommendChatModels(device({ gpu, memoryGb: 4 }), 'zh')[0]!.entry.id).toBe('qwen2.5-1.5b');
  });

  it('no WebGPU (or an adapter too small) gets GGUF files sized by memory and cores', () => {
    const small = recommendChatModels(device({ memoryGb: 2, cores: 2 }), 'en');
    expect(small.every((r) => r.engine === 'gguf')).toBe(true);
    expect(small[0]!.entry.paramsB).toBeLessThanOrEqual(0.6);
    const big = recommendChatModels(device({ memoryGb: 8, cores: 16 }), 'en');
    expect(big[0]!.entry.paramsB).toBeGreaterThan(small[0]!.entry.paramsB);
    const tinyGpu = recommendChatModels(device({ gpu: { maxBufferBytes: 256 * 1024 * 1024, shaderF16: false }, memoryGb: 4, cores: 4 }), 'en');
    expect(tinyGpu[0]).toMatchObject({ engine: 'gguf', why: 'catalogue.why.smallGpu' });
    for (const d of [device({}), device({ memoryGb: 1, cores: 1 }), device({ memoryGb: 8, cores: 32 })]) {
      expect(recommendChatModels(d, 'zh').every((r) => r.entry.chinese && r.engine === 'gguf')).toBe(true);
    }
  });

  it('recommends only catalogue entries, never the same one twice, and knows no GPU model without a WebLLM id', () => {
    for (const gpu of [null, { maxBufferBytes: GIB, shaderF16: false }, { maxBufferBytes: 8 * GIB, shaderF16: true }]) {
      for (const memoryGb of [null, 0.5, 2, 4, 8]) {
        for (const cores of [null, 1, 2, 4, 8, 16]) {
          for (const lang of ['zh', 'en', null] as const) {
            const r = recommendChatModels({ gpu, memoryGb, cores }, lang);
            expect(r.length).toBeGreaterThan(0);
            expect(new Set(r.map((x) => x.entry.id)).size).toBe(r.length);
            for (const x of r) {
              expect(CHAT_MODELS).toContain(x.entry);
              if (x.engine === 'webllm') expect(x.entry.webllmFamily).not.toBeNull();
            }
          }
        }
      }
    }
  });

  it("reads the seeds' language", () => {
    expect(seedsLanguage([], detectLang)).toBeNull();
    expect(seedsLanguage(['Write a poem about the sea.', 'List three fruits.'], detectLang)).toBe('en');
    expect(seedsLanguage(['写一首关于大海的诗。', '列出三种水果。', 'List three fruits.'], detectLang)).toBe('zh');
  });
});

describe('assigning an added model to the roles', () => {
  const a = { kind: 'wllama' as const, file: 'a.gguf' };
  const b = { kind: 'wllama' as const, file: 'b.gguf' };
  it('the only model takes every role', () => {
    expect(autoAssignRoles(NO_ROLES, a, ['wllama:a.gguf'])).toEqual({ generator: a, responder: a, judge: a });
  });
  it('a second model takes only the empty roles and those whose model is gone', () => {
    const roles = { generator: a, responder: null, judge: { kind: 'wllama' as const, file: 'gone.gguf' } };
    expect(autoAssignRoles(roles, b, ['wllama:a.gguf', 'wllama:b.gguf'])).toEqual({ generator: a, responder: b, judge: b });
    const full = { generator: a, responder: a, judge: a };
    expect(autoAssignRoles(full, b, ['wllama:a.gguf', 'wllama:b.gguf'])).toEqual(full);
  });
});

describe('where the downloads go', () => {
  it('builds the Hugging Face, mirror and local-folder URLs of an entry, and the CSP lets the page and its workers fetch them', () => {
    const e = CHAT_MODELS.find((m) => m.id === 'qwen2.5-0.5b')!;
    expect(hfFileUrl(e.gguf.repo, e.gguf.file, { kind: 'huggingface' })).toBe('https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf');
    expect(hfFileUrl(e.gguf.repo, e.gguf.file, { kind: 'mirror', baseUrl: 'https://hf-mirror.com/' })).toBe('https://hf-mirror.com/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf');
    expect(() => hfFileUrl(e.gguf.repo, e.gguf.file, { kind: 'mirror', baseUrl: 'https://hf-mirror.com', airGapped: true }, 'main')).toThrow(/air-gapped mode is on/);
    const connect = /connect-src ([^;]+)/.exec(contentSecurityPolicy)![1]!.split(/\s+/);
    // huggingface.co answers with a redirect to its storage on other https: hosts (cas-bridge.xethub.hf.co, cdn-lfs.hf.co).
    expect(connect).toContain('https:');
    expect(connect).toEqual(expect.arrayContaining(['http://localhost:*', 'http://127.0.0.1:*']));
    expect(/worker-src ([^;]+)/.exec(contentSecurityPolicy)![1]).toContain("'self'");
  });
});
