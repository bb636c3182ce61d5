import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/lib/documents/chunk';
import type { ChunkRef, ExtractedDoc } from '../../src/lib/documents/types';
import { en } from '../../src/lib/i18n/en';
import { zh } from '../../src/lib/i18n/zh';
import { estimateCalls } from '../../src/lib/pipeline/estimate';
import { isNotInText, locateQuotes, grounding, parseGroundedness, splitQuotes } from '../../src/lib/pipeline/operators/grounded';
import { parseQuestions, questionsFor } from '../../src/lib/pipeline/operators/questions';
import { isDocumentRecipe, PRESETS, StepSchema, validateRecipe, type Recipe, type RecipeInput } from '../../src/lib/pipeline/recipe';
import { runRecipe, taskCount } from '../../src/lib/pipeline/run';
import type { PipelineEngines, RunEvent } from '../../src/lib/pipeline/types';
import { runBlocker } from '../../src/lib/state/runBlocker';
import { MemoryRunStore } from '../support/memoryRunStore';
import { ScriptedEngine, type Rule } from '../support/scriptedEngine';
import { buildDoc } from './documentsFixtures';
import { recipeOf } from './helpers';

/**
 * The document steps (issue 14) over real chunks (chunkDocument of built documents) with a
 * scripted LLM: the pipeline's logic only. The same recipe runs on the real wllama model in
 * tests/browser/pipelineDocuments.browser.test.ts.
 */

const KETTLE = 'Descale the kettle once a month with white vinegar. Fill it halfway, boil, and leave it for an hour before rinsing twice.';
const FILTER = 'The limescale filter sits behind the spout. It lifts out upwards and can be rinsed under the tap; replace it every two years.';
const SAFETY = 'Never immerse the base in water. Unplug the kettle before cleaning it. Keep the cord away from the edge of the worktop. Do not fill past the maximum mark, or boiling water may spurt from the spout. Children should not use the kettle without supervision.';
const enDoc: ExtractedDoc = buildDoc(
  [
    { h: 1, title: 'Care', page: 1 },
    { h: 2, title: 'Descaling', page: 1 },
    { p: KETTLE, page: 1 },
    { h: 2, title: 'Filter', page: 2 },
    { p: FILTER, page: 2 },
    { h: 2, title: 'Safety', page: 3 },
    { p: SAFETY, page: 3 },
  ],
  'Kettle manual',
);
const ZH = '使用含氯消毒剂时，浓度应为500毫克每升，作用时间不少于30分钟。擦拭后应保持表面湿润直至作用时间结束。';
const zhDoc: ExtractedDoc = buildDoc([{ h: 1, title: '消毒', page: 3 }, { p: ZH, page: 3 }], '消毒规范');

function refs(doc: ExtractedDoc, documentId: string, documentName: string): ChunkRef[] {
  return chunkDocument(doc, { maxTokens: 80, overlapTokens: 0 })
    .chunks.filter((c) => !c.excluded)
    .map((c, i) => ({ id: `${documentId}-c${i}`, documentId, documentName, index: c.index, text: c.text, headingPath: c.headingPath, pages: c.pages, span: c.span, tokens: c.tokens, label: `L${i}` }));
}
const enChunks = refs(enDoc, 'd1', 'kettle.pdf');
const zhChunks = refs(zhDoc, 'd2', 'zh-guide.pdf');
const docText: Record<string, string> = { d1: enDoc.text, d2: zhDoc.text };

/** The chunk whose text a prompt quotes (between the """ fences). */
const chunkIn = (prompt: string) => /"""\n([\s\S]*?)\n"""/.exec(prompt)?.[1] ?? '';
/** The first sentence of a text: what the scripted answerer quotes. */
const LONGER = 'It says so, and the text gives the details quoted below.';
const firstSentence = (text: string) => /[^\n#]*?[.。]/.exec(text.split('\n').filter((l) => !l.startsWith('#')).join(' '))![0].trim();

interface Script {
  questions?: (prompt: string, n: number) => string;
  answer?: (prompt: string) => string;
  judge?: (prompt: string) => string;
}
function engines(s: Script = {}): { e: PipelineEngines; gen: ScriptedEngine; resp: ScriptedEngine; judge: ScriptedEngine } {
  const numbered = (p: string) => {
    const n = Number(/write (\d+) different questions|写出 (\d+) 个不同的问题/.exec(p)!.slice(1).find(Boolean));
    return Array.from({ length: n }, (_, i) => `${i + 1}. What does the manual say about ${chunkIn(p).slice(0, 24).replace(/\s+/g, ' ')} (point ${i + 1})?`).join('\n');
  };
  const rules: Rule[] = [
    { match: /write \d+ different questions|写出 \d+ 个不同的问题/, reply: (p, n) => (s.questions ?? numbered)(p, n) },
    { match: /Prompt Rewriter|提示词改写者|Rewrite the instruction|把下面的指令/, reply: (p) => `${/#(?:The Given Prompt|给定提示)#[:：]\n([^\n]+)/.exec(p)?.[1] ?? 'Question'} Answer in two sentences.` },
  ];
  const gen = new ScriptedEngine(rules, 'gen');
  const resp = new ScriptedEngine([{ match: /ONLY the text below|只根据下面的文本/, reply: (p) => (s.answer ?? ((q) => `${LONGER}\nQuote: "${firstSentence(chunkIn(q))}"`))(p) }], 'resp');
  const judge = new ScriptedEngine([{ match: /check answers against their source|核对回答是否有出处/, reply: (p) => (s.judge ?? (() => '{"score": 5, "unsupported": ""}'))(p) }], 'judge');
  return { e: { generator: gen, responder: resp, judge }, gen, resp, judge };
}

async function run(r: Recipe, e: PipelineEngines, chunks: ChunkRef[], store = new MemoryRunStore(), extra: { signal?: AbortSignal; onEvent?: (ev: RunEvent) => void; concurrency?: number } = {}) {
  const counts = await runRecipe({ runId: 'r', recipe: r, seeds: [], chunks, engines: e, store, concurrency: extra.concurrency ?? 1, signal: extra.signal, onEvent: extra.onEvent });
  return { store, counts };
}

const docRecipe = (steps: RecipeInput['steps'], over: Partial<RecipeInput> = {}) => recipeOf({ version: 1, name: 'doc', steps, ...over });
const QA: RecipeInput['steps'] = [{ op: 'questions', tokensPerQuestion: 10, maxPerChunk: 5 }, { op: 'groundedAnswer' }, { op: 'groundedJudge' }];

describe('questions from chunks', () => {
  it('asks N questions scaled by the chunk length, within the bounds', () => {
    const p = { tokensPerQuestion: 100, minPerChunk: 1, maxPerChunk: 5 };
    expect([0, 40, 100, 260, 440, 5000].map((t) => questionsFor(t, p))).toEqual([1, 1, 1, 3, 4, 5]);
    expect(questionsFor(1000, { ...p, minPerChunk: 2, maxPerChunk: 2 })).toBe(2);
  });

  it('each task asks for as many questions as its chunk length gives, and each question is one candidate with its source', async () => {
    const { e, gen } = engines();
    const r = docRecipe(QA);
    const { store, counts } = await run(r, e, enChunks);
    expect(counts.done).toBe(enChunks.length);
    const asked = gen.calls.map((c) => Number(/write (\d+) different/.exec(c.prompt)![1]));
    expect(asked).toEqual(enChunks.map((c) => questionsFor(c.tokens, { tokensPerQuestion: 10, minPerChunk: 1, maxPerChunk: 5 })));
    expect(new Set(asked).size).toBeGreaterThan(1); // the chunks differ in length, so do their counts
    expect(store.samples).toHaveLength(asked.reduce((a, b) => a + b, 0));
    for (const s of store.samples) {
      const chunk = enChunks.find((c) => c.id === s.source!.chunkId)!;
      expect(s.source).toMatchObject({ documentId: 'd1', documentName: 'kettle.pdf', chunkIndex: chunk.index, pages: chunk.pages, headingPath: chunk.headingPath, span: chunk.span, label: chunk.label });
      expect(['factual', 'reasoning', 'comparison', 'summary', 'application']).toContain(s.source!.questionType);
      expect(s).toMatchObject({ status: 'accepted', operation: 'groundedAnswer', seedId: null, input: '' });
    }
    // The grounded prompt shows the chunk the question was asked from.
    expect(taskCount(r, enChunks.length)).toBe(enChunks.length);
  });

  it('a Chinese chunk gets the Chinese prompt (and a recipe language overrides the chunk)', async () => {
    const { e, gen, resp } = engines({ questions: () => '1. 含氯消毒剂的浓度应为多少？' });
    await run(docRecipe(QA), e, zhChunks);
    expect(gen.calls[0]!.prompt).toContain('阅读下面的文本');
    expect(resp.calls[0]!.prompt).toContain('只根据下面的文本回答问题');
    const forced = engines({ questions: () => '1. What concentration is required?' });
    await run(docRecipe(QA, { language: 'en' }), forced.e, zhChunks);
    expect(forced.gen.calls[0]!.prompt).toContain('Read the text below');
  });

  it('reads numbered lists, JSON and loose lines; drops empty and repeated questions; none parsed → questions:none', async () => {
    expect(parseQuestions('1. What is X?\n2) Why is Y so?\n3. What is X?\n4.   \n- How to Z?')).toEqual(['What is X?', 'Why is Y so?', 'How to Z?']);
    expect(parseQuestions('{"q1": "What is X?", "q2": "Why Y?"}')).toEqual(['What is X?', 'Why Y?']);
    expect(parseQuestions('["What is X?", "what is x?"]')).toEqual(['What is X?']);
    expect(parseQuestions('问题1：浓度应为多少？\n问题2：作用时间多长？')).toEqual(['浓度应为多少？', '作用时间多长？']);
    expect(parseQuestions('1. A? 2. Bee is what? 3. Sea is where?')).toEqual(['Bee is what?', 'Sea is where?']);
    expect(parseQuestions('Once upon a time there was a kettle')).toEqual([]);
    const { e } = engines({ questions: () => 'Once upon a time there was a kettle' });
    const { store } = await run(docRecipe(QA), e, enChunks.slice(0, 1));
    expect(store.samples).toHaveLength(1);
    expect(store.samples[0]).toMatchObject({ status: 'rejected', rejectReason: 'questions:none', operation: 'questions', source: { chunkId: enChunks[0]!.id } });
  });

  it('multi-chunk tasks ask one question across the chunk and the next chunk of the same document, and carry moreChunks', async () => {
    const { e, gen } = engines();
    const all = [...enChunks, ...zhChunks];
    const { store } = await run(docRecipe([{ op: 'questions', tokensPerQuestion: 10, multiChunk: 1 }, { op: 'groundedAnswer' }]), e, all);
    const multi = store.samples.filter((s) => s.source!.moreChunks);
    expect(multi.length).toBeGreaterThan(0);
    for (const s of multi) {
      const at = all.findIndex((c) => c.id === s.source!.chunkId);
      const next = all[at + 1]!;
      expect(next.documentId).toBe(s.source!.documentId);
      expect(s.source!.moreChunks).toEqual([{ id: next.id, index: next.index }]);
      expect(s.source!.span).toEqual([all[at]!.span[0], next.span[1]]);
    }
    // The last chunk of each document has no next one there: it stays single.
    const lastEn = enChunks.at(-1)!;
    expect(store.samples.filter((s) => s.source!.chunkId === lastEn.id).every((s) => !s.source!.moreChunks)).toBe(true);
    // A multi-chunk prompt shows both chunks and asks for one question.
    const p = gen.calls.find((c) => c.prompt.includes(all[0]!.text) && c.prompt.includes(all[1]!.text))!;
    expect(p.prompt).toContain('write 1 different questions');
  });
});

describe('grounded answers', () => {
  it('NOT_IN_TEXT (or 文中没有) → rejected unanswerable, never accepted, with no answer', async () => {
    expect(isNotInText('NOT_IN_TEXT')).toBe(true);
    expect(isNotInText('not in text')).toBe(false); // the marker is written in capitals
    expect(isNotInText('NOT IN TEXT.')).toBe(true);
    expect(isNotInText('文中没有提到这一点。')).toBe(true);
    const { e } = engines({ answer: () => 'NOT_IN_TEXT' });
    const { store, counts } = await run(docRecipe([...QA, { op: 'filter', minChars: 0 }]), e, enChunks);
    expect(counts.accepted).toBe(0);
    expect(store.samples.length).toBeGreaterThan(0);
    for (const s of store.samples) expect(s).toMatchObject({ status: 'rejected', rejectReason: 'unanswerable', output: null });
  });

  it('a quote found in the chunk: the answer loses its Quote line, source.cited points at the quote in the document text', async () => {
    const { e } = engines();
    const { store } = await run(docRecipe(QA), e, enChunks);
    expect(store.samples.length).toBeGreaterThan(0);
    for (const s of store.samples) {
      expect(s.status).toBe('accepted');
      expect(s.output).toBe(LONGER);
      const quote = (s.notes.quotes as string[])[0]!;
      expect(s.source!.cited).toHaveLength(1);
      const [a, b] = s.source!.cited[0]!;
      expect(docText[s.source!.documentId]!.slice(a, b)).toBe(quote);
      expect(a).toBeGreaterThanOrEqual(s.source!.span[0]);
      expect(b).toBeLessThanOrEqual(s.source!.span[1]);
    }
  });

  it('a Chinese quote with full-width differences is found, at the original text', () => {
    const g = grounding(zhChunks);
    const { cited, unsupported } = locateQuotes(g, ['作用时间不少于３０分钟']);
    expect(unsupported).toEqual([]);
    expect(zhDoc.text.slice(...cited[0]!)).toBe('作用时间不少于30分钟');
  });

  it('a quote not in the chunk → rejected citationNotFound with the quote; no quote at all → citationMissing (unless allowed)', async () => {
    const invented = engines({ answer: () => 'Twice a year.\nQuote: "Descale the kettle twice a year with lemon juice."' });
    const a = await run(docRecipe(QA), invented.e, enChunks.slice(0, 2));
    expect(a.counts.accepted).toBe(0);
    for (const s of a.store.samples) {
      expect(s).toMatchObject({ status: 'rejected', rejectReason: 'citationNotFound' });
      expect(s.notes.unsupportedQuotes).toEqual(['Descale the kettle twice a year with lemon juice.']);
    }
    const bare = engines({ answer: () => 'Regularly, as the manual says.' });
    const b = await run(docRecipe(QA), bare.e, enChunks.slice(0, 1));
    expect(b.store.samples.length).toBeGreaterThan(0);
    expect(b.store.samples.every((s) => s.rejectReason === 'citationMissing')).toBe(true);
    const allowed = await run(docRecipe([QA[0]!, { op: 'groundedAnswer', requireQuote: false }, QA[2]!]), engines({ answer: () => 'Regularly, as the manual says.' }).e, enChunks.slice(0, 1));
    expect(allowed.store.samples.every((s) => s.status === 'accepted' && s.source!.cited.length === 0)).toBe(true);
  });

  it('an answer with no quote that restates a sentence of the chunk cites that sentence (aligned)', async () => {
    const chunk = enChunks.find((c) => c.text.includes('Descale the kettle'))!;
    const { e } = engines({ answer: () => 'You descale the kettle once a month, using white vinegar.' });
    const { store } = await run(docRecipe(QA), e, [chunk]);
    expect(store.samples.length).toBeGreaterThan(0);
    for (const s of store.samples) {
      expect(s).toMatchObject({ status: 'accepted', notes: { citation: 'aligned' } });
      expect(s.source!.cited.map(([a, b]) => enDoc.text.slice(a, b))).toEqual(['Descale the kettle once a month with white vinegar.']);
    }
  });

  it('splits quotes from the answer in both languages, and falls back on quoted passages', () => {
    expect(splitQuotes('Answer: Once a month.\nQuote: “Descale the kettle once a month”')).toEqual({ answer: 'Once a month.', quotes: ['Descale the kettle once a month'] });
    expect(splitQuotes('浓度为500毫克每升。\n引文：“浓度应为500毫克每升”')).toEqual({ answer: '浓度为500毫克每升。', quotes: ['浓度应为500毫克每升'] });
    expect(splitQuotes('The manual says "fill it halfway, boil" first.').quotes).toEqual(['fill it halfway, boil']);
  });
});

describe('groundedness judge', () => {
  it('below the minimum → rejected ungrounded with the unsupported claim quoted; the quality verdict is left alone', async () => {
    const { e } = engines({ judge: () => '{"score": 2, "unsupported": "It also removes rust."}' });
    const { store } = await run(docRecipe(QA), e, enChunks.slice(0, 1));
    expect(store.samples.length).toBeGreaterThan(0);
    for (const s of store.samples) {
      expect(s).toMatchObject({ status: 'rejected', rejectReason: 'ungrounded', score: null, verdict: null });
      expect(s.notes.unsupported).toBe('It also removes rust.');
      expect(s.notes.groundedness).toMatchObject({ score: 2, unsupported: 'It also removes rust.' });
    }
  });

  it('reads messy verdicts; an unreadable one after its retries → judgeFailed with every raw reply', async () => {
    expect(parseGroundedness('Score: 3\nUnsupported: "boil twice"')).toMatchObject({ ok: true, score: 3, unsupported: 'boil twice' });
    expect(parseGroundedness('评分：5分')).toMatchObject({ ok: true, score: 5, unsupported: '' });
    expect(parseGroundedness('{"score": 4, "unsupported": "none"}')).toMatchObject({ ok: true, score: 4, unsupported: '' });
    // A real TinyLlama verdict: full marks, and noise in the claim field — no claim is kept.
    expect(parseGroundedness('{"score": 5, "unsupported": "} is the score and "}')).toMatchObject({ ok: true, score: 5, unsupported: '' });
    expect(parseGroundedness('{"score": <1-5>, "unsupported": "<the first claim>"}').ok).toBe(false);
    const { e, judge } = engines({ judge: () => 'The kettle was happy.' });
    const { store } = await run(docRecipe([QA[0]!, QA[1]!, { op: 'groundedJudge', retries: 1 }], { maxSeeds: 1 }), e, enChunks);
    for (const s of store.samples) {
      expect(s).toMatchObject({ status: 'rejected', rejectReason: 'judgeFailed' });
      expect(s.notes.groundedRaw).toEqual(['The kettle was happy.', 'The kettle was happy.']);
    }
    expect(judge.calls).toHaveLength(store.samples.length * 2);
  });
});

describe('document runs', () => {
  it('a stopped and resumed run ends with the same items as an uninterrupted one', async () => {
    const mk = () =>
      engines({
        questions: (p) => Array.from({ length: 3 }, (_, i) => `${i + 1}. Question ${p.length % 89} ${i} about the text?`).join('\n'),
        answer: (p) => (p.length % 3 === 0 ? 'NOT_IN_TEXT' : `Yes.\nQuote: "${firstSentence(chunkIn(p))}"`),
        judge: (p) => `{"score": ${(p.length % 5) + 1}, "unsupported": ""}`,
      });
    const r = docRecipe([{ op: 'questions', tokensPerQuestion: 10, multiChunk: 0.5 }, { op: 'evolve', rounds: 1, eliminate: false, keepOriginal: true }, { op: 'groundedAnswer' }, { op: 'groundedJudge', minScore: 3 }], { seed: 7, copiesPerSeed: 2, personas: { enabled: true, builtIn: true, custom: [] } });
    const all = [...enChunks, ...zhChunks];
    const whole = (await run(r, mk().e, all)).store;
    const partial = new MemoryRunStore();
    const ctl = new AbortController();
    await run(r, mk().e, all, partial, { signal: ctl.signal, onEvent: (ev) => ev.type === 'progress' && ev.counts.done === 2 && ctl.abort() });
    expect(partial.completed.size).toBeGreaterThan(0);
    expect(partial.completed.size).toBeLessThan(all.length * 2);
    await run(r, mk().e, all, partial);
    const key = (s: (typeof whole.samples)[number]) => JSON.stringify([s.taskIndex, s.key, s.instruction, s.status, s.rejectReason, s.persona, s.source]);
    expect(partial.samples.map(key).sort()).toEqual(whole.samples.map(key).sort());
    expect(partial.counts.accepted).toBe(whole.counts.accepted);
    // Evolved questions keep their chunk.
    expect(whole.samples.filter((s) => s.operation.startsWith('evol:')).every((s) => s.source?.chunkId)).toBe(true);
  });

  it('a task that fails keeps its source on the rejected sample', async () => {
    const { e } = engines();
    e.responder = new ScriptedEngine([], 'resp');
    e.responder.chat = async function* () {
      throw Object.assign(new Error('the server refused the prompt'), { name: 'BadRequestError' });
    };
    const { store } = await run(docRecipe(QA), e, enChunks.slice(0, 1));
    expect(store.samples.length).toBeGreaterThan(0);
    for (const s of store.samples) expect(s).toMatchObject({ status: 'rejected', rejectReason: 'error:BadRequestError', source: { chunkId: enChunks[0]!.id } });
  });

  it('validates the order of the document steps', () => {
    const problems = (steps: RecipeInput['steps']) => {
      const v = validateRecipe({ version: 1, name: 'x', steps });
      return v.ok ? [] : v.problems.map((p) => p.message);
    };
    expect(problems(QA)).toEqual([]);
    expect(problems([{ op: 'respond' }, { op: 'questions' }])).toContain('Questions from chunks must be the first step');
    expect(problems([{ op: 'respond' }, { op: 'groundedAnswer' }]).some((m) => m.includes('start the recipe with Questions'))).toBe(true);
    expect(problems([{ op: 'questions' }, { op: 'groundedJudge' }]).some((m) => m.includes('needs a grounded answer'))).toBe(true);
    expect(problems([{ op: 'questions' }, { op: 'judge' }]).some((m) => m.includes('judge needs a response'))).toBe(true);
    expect(problems([{ op: 'questions', minPerChunk: 4, maxPerChunk: 2 }]).length).toBe(1);
    expect(problems([{ op: 'questions', types: [] }]).length).toBe(1);
    for (const k of ['docQA', 'docQAEvol']) {
      const v = validateRecipe(PRESETS[k]);
      expect(v.ok, k).toBe(true);
      expect(isDocumentRecipe(PRESETS[k]!)).toBe(true);
    }
    expect(PRESETS.docQA!.steps.map((s) => s.op)).toEqual(['questions', 'groundedAnswer', 'groundedJudge', 'filter', 'dedup']);
    expect(PRESETS.docQAEvol!.steps.map((s) => s.op)).toEqual(['questions', 'evolve', 'groundedAnswer', 'groundedJudge', 'filter', 'dedup']);
  });

  it('blocks Start without chunks, with a message in both languages', () => {
    const roles = { generator: { kind: 'wllama', file: 'x.gguf' }, responder: { kind: 'wllama', file: 'x.gguf' }, judge: { kind: 'wllama', file: 'x.gguf' } } as const;
    const base = { otherTab: false, busy: false, firstOp: 'questions', seedCount: 5, roles, missingCount: 0, ggufStoreUnreadable: false };
    expect(runBlocker({ ...base, chunkCount: 0 })).toBe('run.noChunks');
    expect(runBlocker({ ...base, seedCount: 0, chunkCount: 3 })).toBeNull();
    expect(en['run.noChunks']).toMatch(/Documents screen/);
    expect(zh['run.noChunks']).toMatch(/文档/);
  });

  it('every new step, parameter, question type and preset has words in both languages', () => {
    const keys: string[] = ['preset.docQA', 'preset.docQAEvol'];
    for (const op of ['questions', 'groundedAnswer', 'groundedJudge']) {
      keys.push(`op.${op}`, `label.op.${op}`);
      for (const field of Object.keys(StepSchema.parse({ op }))) if (field !== 'op') keys.push(`param.${field}`);
    }
    for (const q of ['factual', 'reasoning', 'comparison', 'summary', 'application']) keys.push(`questionType.${q}`);
    for (const r of ['unanswerable', 'ungrounded', 'citationNotFound', 'citationMissing', 'questions:none']) keys.push(`label.reason.${r}`, `label.fix.${r}`);
    expect(keys.filter((k) => !(k in en) || !(k in zh))).toEqual([]);
  });
});

describe('estimate', () => {
  it('docQA and docQAEvol: calls and calls per role match a scripted run where every call succeeds', async () => {
    for (const k of ['docQA', 'docQAEvol']) {
      const { e, gen, resp, judge } = engines();
      const recipe = recipeOf(PRESETS[k]!);
      const chunks = [...enChunks, ...zhChunks];
      const { store, counts } = await run(recipe, e, chunks);
      const est = estimateCalls(recipe, chunks.length, chunks.map((c) => c.tokens));
      expect(store.samples.filter((s) => s.status === 'rejected'), k).toEqual([]);
      expect(est.tasks).toBe(counts.total);
      expect(est.calls, k).toBe(counts.calls);
      expect(est.byRole, k).toEqual({ generator: gen.calls.length, responder: resp.calls.length, judge: judge.calls.length });
      expect(est.maxCalls).toBeGreaterThan(est.calls);
      expect(est.maxCompletionTokens).toBeGreaterThan(0);
    }
  });

  it('counts the multi-chunk share as one question, and maxPerChunk without chunk lengths', () => {
    const r = docRecipe([{ op: 'questions', minPerChunk: 3, maxPerChunk: 3, multiChunk: 0.5 }, { op: 'groundedAnswer' }, { op: 'groundedJudge', retries: 0 }], { copiesPerSeed: 2 });
    // 4 chunks × 2 tasks: half ask 3 questions (1 + 3 + 3 calls), half ask 1 (1 + 1 + 1).
    expect(estimateCalls(r, 4, [50, 50, 50, 50])).toMatchObject({ tasks: 8, calls: 4 * 7 + 4 * 3, byRole: { generator: 8, responder: 16, judge: 16 } });
    const noLengths = docRecipe([{ op: 'questions', maxPerChunk: 4 }, { op: 'groundedAnswer' }]);
    expect(estimateCalls(noLengths, 2).calls).toBe(2 * (1 + 4));
  });
});
