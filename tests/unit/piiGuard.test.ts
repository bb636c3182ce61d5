import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../scripts/fakeLlm.mjs';
import { DEFAULT_POLICY } from '../../src/lib/engines/remote/http';
import { openaiDialect } from '../../src/lib/engines/remote/openai';
import { RemoteEngine, type EndpointConfig } from '../../src/lib/engines/remote/remoteEngine';
import { complete } from '../../src/lib/engines/types';
import { PRESETS, validateRecipe, type Recipe } from '../../src/lib/pipeline/recipe';
import { runRecipe, type SeedRef } from '../../src/lib/pipeline/run';
import { cnIdCheckChar } from '../../src/lib/privacy/checksums';
import { GUARD_REASON, guardEngine, isPiiGuardError } from '../../src/lib/privacy/guard';
import { redactAll, type PrivacyLists } from '../../src/lib/privacy/scan';
import { DEFAULT_PRIVACY } from '../../src/lib/privacy/settings';
import { privacyForRun } from '../../src/lib/runner/runPrivacy';
import { MemoryRunStore } from '../support/memoryRunStore';

/**
 * The remote-call guard against a real HTTP server (scripts/fakeLlm.mjs keeps every request body as
 * received): a prompt with a planted mainland resident ID is never received, through the engine
 * alone and through a whole run; after redaction the placeholder is.
 */

const FIRST17 = '11010519491231002';
const CN_ID = FIRST17 + cnIdCheckChar(FIRST17);
const LISTS: PrivacyLists = { names: [], terms: [], ignored: [] };

let server: FakeLlm;
let cfg: EndpointConfig;
beforeAll(async () => {
  server = await startFakeLlm();
  cfg = { id: 'guard', name: 'fake', kind: 'openai', baseUrl: server.url, model: 'fake-model', policy: { ...DEFAULT_POLICY, baseDelayMs: 5, maxDelayMs: 20 } };
});
afterAll(() => server.close());

const received = () => server.requests.map((r) => JSON.stringify(r.body)).join('\n');

describe('remote-call guard', () => {
  it('never sends a prompt holding a valid resident ID; says why without the value; sends the redacted prompt', { timeout: 20_000 }, async () => {
    const engine = guardEngine(new RemoteEngine(cfg, 'k', openaiDialect), LISTS);
    const before = server.requests.length;
    const prompt = `患者身份证号 ${CN_ID}，请总结病情。`;
    const err = await complete(engine, { messages: [{ role: 'user', content: prompt }] }).catch((e) => e);
    expect(isPiiGuardError(err)).toBe(true);
    expect(err).toMatchObject({ name: 'PiiGuardError', hold: true, types: { cnId: 1 } });
    expect(err.reason).toBe(`${GUARD_REASON} (cnId ×1)`);
    expect(`${err.message} ${err.reason}`).not.toContain(CN_ID);
    expect(server.requests.length).toBe(before);

    const { fields } = redactAll({ prompt }, LISTS, 'placeholder');
    expect(fields.prompt).toBe('患者身份证号 [CN_ID_1]，请总结病情。');
    const done = await complete(engine, { messages: [{ role: 'user', content: fields.prompt! }] });
    expect(done.text.length).toBeGreaterThan(0);
    expect(server.requests.length).toBe(before + 1);
    expect(received()).toContain('[CN_ID_1]');
    expect(received()).not.toContain(CN_ID);
  });

  it('a value the user ignored passes; local engines are never wrapped by the run (kind is kept for that check)', { timeout: 20_000 }, async () => {
    const remote = new RemoteEngine(cfg, 'k', openaiDialect);
    const phone = '13812345678';
    const { findings } = redactAll({ t: `call ${phone}` }, LISTS, 'placeholder');
    expect(findings.map((f) => f.type)).toEqual(['phone']);
    const engine = guardEngine(remote, { ...LISTS, ignored: [findings[0]!.key] });
    expect(engine.kind).toBe('openai');
    await complete(engine, { messages: [{ role: 'user', content: `call ${phone}` }] });
    expect(received()).toContain(phone);
  });

  it('a run over the guarded engine sends no seed that holds the ID, and sends its redacted form', { timeout: 30_000 }, async () => {
    const v = validateRecipe({ ...PRESETS.answerJudge!, steps: [{ op: 'respond' }] });
    if (!v.ok) throw new Error('recipe');
    const planted = `Summarise the case of the patient with ID ${CN_ID}.`;
    const seeds: SeedRef[] = [
      { id: 'a', instruction: planted, input: '', output: 'x' },
      { id: 'b', instruction: 'Explain what a data card is.', input: '', output: 'x' },
    ];
    const engine = guardEngine(new RemoteEngine(cfg, 'k', openaiDialect), LISTS);
    const before = server.requests.length;
    await runRecipe({ runId: 'g1', recipe: v.recipe, seeds, engines: { generator: engine, responder: engine, judge: engine }, store: new MemoryRunStore(), concurrency: 2 });
    const sent = server.requests.slice(before).map((r) => JSON.stringify(r.body));
    expect(sent.length).toBe(1);
    expect(sent[0]).toContain('data card');
    expect(sent.join('\n')).not.toContain(CN_ID);

    const redacted = seeds.map((s) => ({ ...s, instruction: redactAll({ instruction: s.instruction }, LISTS, 'placeholder').fields.instruction! }));
    const at = server.requests.length;
    const store = new MemoryRunStore();
    await runRecipe({ runId: 'g2', recipe: v.recipe, seeds: redacted, engines: { generator: engine, responder: engine, judge: engine }, store, concurrency: 2 });
    const sent2 = server.requests.slice(at).map((r) => JSON.stringify(r.body)).join('\n');
    expect(server.requests.length - at).toBe(2);
    expect(sent2).toContain('[CN_ID_1]');
    expect(sent2).not.toContain(CN_ID);
    expect(store.samples.filter((s) => s.status !== 'rejected').length).toBe(2);
  });
});

describe('privacy for a run (the engines and inputs the app runner uses)', () => {
  const settings = { ...DEFAULT_PRIVACY };
  const recipe = (privacy: Partial<Recipe['privacy']>) => ({ privacy: { redactInputs: false, redactOutputs: false, guard: true, mode: 'placeholder' as const, ...privacy } });
  const prompt = { messages: [{ role: 'user' as const, content: `ID ${CN_ID}` }] };

  it('guards remote engines only, and not in a run the user allowed', async () => {
    const remote = new RemoteEngine(cfg, 'k', openaiDialect);
    const on = privacyForRun(settings, 'r1', recipe({}));
    expect(await complete(on.engine(remote, { kind: 'remote', endpointId: 'guard' }), prompt).catch((e) => e.name)).toBe('PiiGuardError');
    // A local engine (wllama/WebLLM) is returned as it is.
    expect(on.engine(remote, { kind: 'wllama', file: 'x.gguf' })).toBe(remote);
    expect(privacyForRun({ ...settings, allowedRuns: ['r1'] }, 'r1', recipe({})).engine(remote, { kind: 'remote', endpointId: 'guard' })).toBe(remote);
    expect(privacyForRun(settings, 'r1', recipe({ guard: false })).engine(remote, { kind: 'remote', endpointId: 'guard' })).toBe(remote);
  });

  it('redacts the run copy of seeds and chunks when the recipe asks', () => {
    const seeds: SeedRef[] = [{ id: 's', instruction: `Patient ID ${CN_ID}`, input: '', output: `ID ${CN_ID} noted` }];
    const p = privacyForRun(settings, 'r', recipe({ redactInputs: true }));
    expect(p.seeds(seeds)).toEqual([{ id: 's', instruction: 'Patient ID [CN_ID_1]', input: '', output: 'ID [CN_ID_1] noted' }]);
    const chunk = { id: 'c', documentId: 'd', documentName: 'd.txt', index: 0, text: `电话 13812345678`, headingPath: [], pages: null, span: [0, 14] as [number, number], tokens: 5 };
    expect(p.chunks([chunk])[0]!.text).toBe('电话 [PHONE_1]');
    expect(privacyForRun(settings, 'r', recipe({})).seeds(seeds)).toBe(seeds);
  });
});
