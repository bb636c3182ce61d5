import { z } from 'zod';
import { EVOL_OPS } from './operators/evolve';
import { REWARD_APIS } from './operators/reward';
import { checkTemplates, QUESTION_TYPES, TEMPLATES } from './templates';
import { DEFAULT_EMBEDDING_MODEL, findEmbeddingModel } from '../embed/models';

const DEFAULT_DEDUP_THRESHOLD = findEmbeddingModel(DEFAULT_EMBEDDING_MODEL)!.threshold;

/**
 * A recipe: which operators run, in which order, with which parameters and templates. Versioned
 * (`version`) so that saved and exported recipes stay readable; validated with zod, then for the
 * order of steps and the templates' variables.
 */
const temperature = z.number().min(0).max(2);

/**
 * Default answer length of every step that writes one. 512 tokens leave 1.5k of a 2k context
 * (TinyLlama, many GGUFs loaded small) for the prompt: the judge's prompt quotes the answer, and
 * an item that does not fit is rejected as contextOverflow. Raise it for models with more context.
 */
export const ANSWER_TOKENS = 512;

export const StepSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('selfInstruct'),
    count: z.number().int().min(1).max(1_000_000).default(50),
    humanShots: z.number().int().min(0).max(8).default(6),
    machineShots: z.number().int().min(0).max(8).default(2),
    temperature: temperature.default(0.7),
    rougeThreshold: z.number().min(0).max(1).default(0.7),
    instances: z.boolean().default(true),
  }),
  /**
   * Magpie (pipeline/magpie.ts): `count` instructions written by the generator from its chat
   * template's user-turn prefix alone (no seeds); `system` goes before the user's turn (empty: the
   * template's default). Needs an engine that completes raw text.
   */
  z.object({
    op: z.literal('magpie'),
    count: z.number().int().min(1).max(1_000_000).default(50),
    temperature: temperature.default(1),
    maxTokens: z.number().int().min(16).max(2048).default(200),
    system: z.string().default(''),
  }),
  z.object({
    op: z.literal('evolve'),
    rounds: z.number().int().min(1).max(10).default(4),
    weights: z
      .object(Object.fromEntries(EVOL_OPS.map((o) => [o, z.number().min(0).max(100).default(1)])) as Record<(typeof EVOL_OPS)[number], z.ZodDefault<z.ZodNumber>>)
      .default(Object.fromEntries(EVOL_OPS.map((o) => [o, 1])) as Record<(typeof EVOL_OPS)[number], number>),
    eliminate: z.boolean().default(true),
    temperature: temperature.default(0.7),
    /** Longest answer written for the elimination check (it becomes the sample's response). */
    maxTokens: z.number().int().min(16).max(8192).default(ANSWER_TOKENS),
    keepOriginal: z.boolean().default(false),
  }),
  z.object({
    op: z.literal('questions'),
    /** One question per this many estimated tokens of the chunk, within minPerChunk..maxPerChunk. */
    tokensPerQuestion: z.number().int().min(10).max(10_000).default(120),
    minPerChunk: z.number().int().min(1).max(10).default(1),
    maxPerChunk: z.number().int().min(1).max(10).default(5),
    types: z.array(z.enum(QUESTION_TYPES)).min(1).default([...QUESTION_TYPES]),
    temperature: temperature.default(0.7),
    /** Share of tasks (0–1) that ask one question across the chunk and the next chunk of its document. */
    multiChunk: z.number().min(0).max(1).default(0),
    maxTokens: z.number().int().min(16).max(8192).default(256),
  }),
  z.object({
    op: z.literal('groundedAnswer'),
    temperature: temperature.default(0.3),
    maxTokens: z.number().int().min(16).max(8192).default(ANSWER_TOKENS),
    /**
     * An answer that quotes nothing and restates no sentence of the chunk is rejected
     * (citationMissing); off, it passes on to the groundedness judge.
     */
    requireQuote: z.boolean().default(true),
  }),
  z.object({ op: z.literal('groundedJudge'), minScore: z.number().min(1).max(5).default(4), retries: z.number().int().min(0).max(5).default(2) }),
  z.object({ op: z.literal('respond'), temperature: temperature.default(0.7), maxTokens: z.number().int().min(16).max(8192).default(ANSWER_TOKENS) }),
  z.object({ op: z.literal('critique'), maxTokens: z.number().int().min(16).max(8192).default(ANSWER_TOKENS) }),
  z.object({
    op: z.literal('bestOfN'),
    n: z.number().int().min(2).max(16).default(4),
    k: z.number().int().min(1).max(16).default(1),
    temperature: temperature.default(0.9),
    maxTokens: z.number().int().min(16).max(8192).default(ANSWER_TOKENS),
  }),
  z.object({ op: z.literal('judge'), minScore: z.number().min(1).max(5).default(4), retries: z.number().int().min(0).max(5).default(2) }),
  /**
   * Multi-turn conversations (operators/multiTurn.ts): the item's exchange grows, turn by turn, to
   * a number of exchanges drawn from minTurns..maxTurns (the first exchange included) — the user's
   * follow-up by the generator, the answer by the responder, each turn judged (on topic? 1–5) and
   * the whole conversation judged at the end (kept at ≥ minScore). A turn that repeats an earlier
   * one (ROUGE-L above rougeThreshold) or drifts off the topic ends the conversation there; one
   * left shorter than minTurns is rejected with why.
   */
  z.object({
    op: z.literal('multiTurn'),
    minTurns: z.number().int().min(2).max(20).default(2),
    maxTurns: z.number().int().min(2).max(20).default(3),
    temperature: temperature.default(0.7),
    /** Longest follow-up the generator may write. */
    followUpTokens: z.number().int().min(16).max(1024).default(128),
    maxTokens: z.number().int().min(16).max(8192).default(ANSWER_TOKENS),
    rougeThreshold: z.number().min(0).max(1).default(0.7),
    /** A turn the judge calls off-topic ends the conversation; off, the verdict is only recorded. */
    drift: z.boolean().default(true),
    minScore: z.number().min(1).max(5).default(4),
    retries: z.number().int().min(0).max(5).default(2),
    /**
     * How many answers the last exchange gets (distinct sampling seeds, each judged on the turn):
     * the best stays in the conversation, the others are kept in lineage for `turn` preference pairs.
     */
    lastTurnAnswers: z.number().int().min(1).max(4).default(1),
  }),
  /**
   * Reward-model scoring (operators/reward.ts): the reward model is named here (its API, server and
   * model; never a key — `apiKeyEnv` names the environment variable the command line reads it
   * from). No URL: no reward model is configured, and the step is skipped and says so.
   */
  z.object({
    op: z.literal('reward'),
    api: z.enum(REWARD_APIS).default('score'),
    url: z.string().trim().default(''),
    rewardModel: z.string().trim().default(''),
    apiKeyEnv: z.string().trim().default(''),
    keep: z.enum(['threshold', 'topShare']).default('threshold'),
    /** Threshold mode: the lowest reward kept, on the model's own scale. */
    minReward: z.number().default(0),
    /** Top-share mode: the share of each task's answers kept (at least one). */
    share: z.number().min(0.01).max(1).default(0.5),
  }),
  z.object({
    op: z.literal('dedup'),
    /**
     * Cosine similarity at and above which two items are near-duplicates. The default is the
     * default model's own (calibrated for precision ≥ 0.95, src/lib/embed/models.ts); the recipe
     * editor puts another model's own default in when the model changes.
     */
    threshold: z.number().min(0.5).max(0.999).default(DEFAULT_DEDUP_THRESHOLD),
    model: z.string().default(DEFAULT_EMBEDDING_MODEL),
    againstSeeds: z.boolean().default(true),
    /**
     * 'exact' finds every pair; 'approximate' (LSH buckets, planned pair recall 0.99, every pair it
     * reports is exact) is for very large sets; 'auto' is exact up to 100,000 items.
     */
    method: z.enum(['auto', 'exact', 'approximate']).default('auto'),
    /**
     * Before embedding: exact copies (same normalised text) always, then near-copies whose
     * character 3-gram Jaccard similarity is at least this (MinHash-LSH); 0 turns that pass off.
     */
    lexical: z.number().min(0).max(1).default(0.8),
  }),
  z.object({
    op: z.literal('filter'),
    minChars: z.number().int().min(0).max(10_000).default(50),
    refusal: z.boolean().default(true),
    format: z.boolean().default(true),
    blocklist: z.array(z.string()).default([]),
  }),
]);

/**
 * After generation, the project's data is checked against its eval sets (src/lib/runner/
 * decontamPhase.ts) and contaminated samples are marked (and left out of exports by default).
 * Off by default: a recipe saved before this section existed loads with it off.
 * - exact: same text after normalisation (NFKC, case, punctuation and spaces ignored);
 * - ngram: a shared word `wordN`-gram (English; GPT-3's check used 13) or character `charN`-gram
 *   (Chinese), the eval item counted as found when at least `minShare` of its n-grams are in the
 *   sample (0: any one);
 * - embedding: cosine ≥ `threshold` between the sample and an eval item with `model` (needs an
 *   embedder: skipped, and said, where there is none);
 * - includeOutputs: compare the samples' answers too, not only instruction and input.
 */
export const DecontamSchema = z.object({
  enabled: z.boolean().default(false),
  exact: z.boolean().default(true),
  ngram: z
    .object({
      enabled: z.boolean().default(true),
      wordN: z.number().int().min(3).max(50).default(13),
      charN: z.number().int().min(3).max(50).default(13),
      minShare: z.number().min(0).max(1).default(0),
    })
    .default({ enabled: true, wordN: 13, charN: 13, minShare: 0 }),
  embedding: z
    .object({
      enabled: z.boolean().default(false),
      threshold: z.number().min(0.5).max(0.999).default(0.9),
      model: z.string().default(DEFAULT_EMBEDDING_MODEL),
    })
    .default({ enabled: false, threshold: 0.9, model: DEFAULT_EMBEDDING_MODEL }),
  includeOutputs: z.boolean().default(false),
});
export type DecontamSettings = z.infer<typeof DecontamSchema>;
export const DEFAULT_DECONTAM: DecontamSettings = DecontamSchema.parse({});

export const RecipeSchema = z.object({
  version: z.literal(1),
  name: z.string().trim().min(1),
  /** Seed of every random choice: the same recipe, seeds and seed give the same run. */
  seed: z.number().int().min(0).max(2 ** 31).default(1),
  language: z.enum(['auto', 'en', 'zh']).default('auto'),
  /** Tasks per seed for recipes that start from the seeds. */
  copiesPerSeed: z.number().int().min(1).max(1000).default(1),
  maxSeeds: z.number().int().min(1).optional(),
  personas: z.object({ enabled: z.boolean().default(false), builtIn: z.boolean().default(true), custom: z.array(z.string()).default([]) }).default({ enabled: false, builtIn: true, custom: [] }),
  templates: z.record(z.string(), z.object({ en: z.string().optional(), zh: z.string().optional() })).default({}),
  /**
   * Fixed-shape answers (verdicts, the equality check, Self-Instruct instances) are held to their
   * schema by each engine's own mechanism (GBNF, JSON schema, tool use); off, they are free text
   * read by the lenient parsers alone.
   */
  constrained: z.boolean().default(true),
  /** 'off' asks reasoning models not to think where the engine can say so (Qwen3's enable_thinking). */
  thinking: z.enum(['model', 'off']).default('model'),
  steps: z.array(StepSchema).min(1),
  decontam: DecontamSchema.default(DEFAULT_DECONTAM),
  /**
   * Personal data (issue 17, src/lib/privacy): `redactInputs` redacts the run's copy of the seeds
   * and chunks before any prompt is built (the library keeps its text); `redactOutputs` is the
   * export's default for redacting what it writes; `guard` holds back any prompt to a remote engine
   * that still holds a finding. The guard is on by default: it costs nothing with local engines
   * (they are never wrapped) and with a remote one it is the only thing between a patient's ID and
   * a third party's server, so turning it off has to be a choice.
   */
  privacy: z
    .object({
      redactInputs: z.boolean().default(false),
      redactOutputs: z.boolean().default(false),
      guard: z.boolean().default(true),
      mode: z.enum(['placeholder', 'mask']).default('placeholder'),
    })
    .default({ redactInputs: false, redactOutputs: false, guard: true, mode: 'placeholder' }),
});

export type Recipe = z.infer<typeof RecipeSchema>;
export type RecipeInput = z.input<typeof RecipeSchema>;
export type Step = z.infer<typeof StepSchema>;

export interface RecipeProblem {
  path: string;
  message: string;
}

const PRODUCES_RESPONSE = new Set(['respond', 'bestOfN', 'critique', 'groundedAnswer']);
/** Steps that start a recipe: its tasks come from Self-Instruct's count or from the chunks, not the seeds. */
const FIRST_ONLY: Record<string, string> = { selfInstruct: 'Self-Instruct', questions: 'Questions from chunks', magpie: 'Magpie' };

/** A recipe whose tasks are a project's document chunks (it starts with Questions), not its seeds. */
export function isDocumentRecipe(recipe: { steps?: readonly { op: string }[] }): boolean {
  return recipe.steps?.[0]?.op === 'questions';
}

/**
 * The multi-turn step's order: it continues an answered exchange, so a response comes before it,
 * and no step after it rewrites the first exchange (the conversation's later turns answer it).
 */
function multiTurnProblems(steps: Step[], i: number, hasResponse: boolean): RecipeProblem[] {
  const s = steps[i]!;
  const out: RecipeProblem[] = [];
  if (s.op === 'multiTurn') {
    if (!hasResponse) out.push({ path: `steps.${i}`, message: 'multiTurn continues an answered exchange: put Respond, Best-of-N or Evolve (with elimination) before it' });
    if (s.minTurns > s.maxTurns) out.push({ path: `steps.${i}.minTurns`, message: 'at least as many turns at most as at least' });
    if (steps.findIndex((x) => x.op === 'multiTurn') !== i) out.push({ path: `steps.${i}`, message: 'one Multi-turn step per recipe' });
  }
  const before = steps.findIndex((x) => x.op === 'multiTurn');
  if (before >= 0 && before < i && (PRODUCES_RESPONSE.has(s.op) || s.op === 'evolve')) out.push({ path: `steps.${i}`, message: `${s.op} after Multi-turn would rewrite the conversation's first exchange: put it before Multi-turn` });
  return out;
}

/** Parses and checks a recipe. Returns the recipe with defaults filled in, or every problem. */
export function validateRecipe(input: unknown): { ok: true; recipe: Recipe } | { ok: false; problems: RecipeProblem[] } {
  const r = RecipeSchema.safeParse(input);
  if (!r.success) return { ok: false, problems: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  const recipe = r.data;
  const problems: RecipeProblem[] = [];
  // Seeds carry their own outputs: a recipe may judge or filter them directly.
  // Self-Instruct writes instructions and chunks give questions: neither has an answer yet.
  let hasResponse = recipe.steps[0]?.op !== 'selfInstruct' && recipe.steps[0]?.op !== 'questions' && recipe.steps[0]?.op !== 'magpie';
  const fromDocuments = isDocumentRecipe(recipe);
  let groundedAnswered = false;
  recipe.steps.forEach((s, i) => {
    if (FIRST_ONLY[s.op] && i !== 0) problems.push({ path: `steps.${i}`, message: `${FIRST_ONLY[s.op]} must be the first step` });
    if (s.op === 'selfInstruct' && s.instances) hasResponse = true;
    if (s.op === 'questions' && s.minPerChunk > s.maxPerChunk) problems.push({ path: `steps.${i}.minPerChunk`, message: 'at least as many questions per chunk as at most' });
    if ((s.op === 'groundedAnswer' || s.op === 'groundedJudge') && !fromDocuments) {
      problems.push({ path: `steps.${i}`, message: `${s.op} grounds on a document's chunk: start the recipe with Questions from chunks` });
    }
    if (s.op === 'groundedJudge' && !groundedAnswered) problems.push({ path: `steps.${i}`, message: 'groundedJudge needs a grounded answer: put Grounded answer before it' });
    if (s.op === 'groundedAnswer') groundedAnswered = true;
    if (s.op === 'evolve') hasResponse = s.eliminate;
    if ((s.op === 'judge' || s.op === 'critique' || s.op === 'filter' || s.op === 'reward') && !hasResponse) {
      problems.push({ path: `steps.${i}`, message: `${s.op} needs a response: put Respond, Best-of-N or Evolve (with elimination) before it` });
    }
    if (s.op === 'dedup' && i !== recipe.steps.length - 1) problems.push({ path: `steps.${i}`, message: 'Dedup must be the last step: it compares the finished items' });
    if (s.op === 'bestOfN' && s.k > s.n) problems.push({ path: `steps.${i}.k`, message: 'Best-of-N keeps at most N' });
    problems.push(...multiTurnProblems(recipe.steps, i, hasResponse));
    if (PRODUCES_RESPONSE.has(s.op)) hasResponse = true;
    if (s.op === 'evolve' && Object.values(s.weights).every((w) => w === 0)) problems.push({ path: `steps.${i}.weights`, message: 'at least one evolution operation needs a weight' });
  });
  for (const p of checkTemplates(recipe.templates)) {
    const what = [p.missing.length ? `missing {${p.missing.join('}, {')}}` : '', p.unknown.length ? `unknown {${p.unknown.join('}, {')}}` : ''].filter(Boolean).join('; ');
    problems.push({ path: `templates.${p.id}.${p.lang}`, message: TEMPLATES[p.id] ? what : 'no such template' });
  }
  return problems.length ? { ok: false, problems } : { ok: true, recipe };
}

/**
 * Short prompts a 1–3B model can follow (TinyLlama-class): one instruction, the data, a label to
 * continue from. The labels are those of the full templates, so the same cleaning applies.
 */
export const SMALL_MODEL_TEMPLATES: RecipeInput['templates'] = {
  'evol.depth': {
    en: 'Rewrite the instruction below to make it a little harder. {method}\nKeep it short and answerable. {persona}\n#The Given Prompt#:\n{instruction}\n#Rewritten Prompt#:',
    zh: '把下面的指令改写得稍难一些。{method}\n保持简短、可以回答。{persona}\n#给定提示#：\n{instruction}\n#改写后的提示#：',
  },
  'evol.breadth': {
    en: 'Write one new instruction on the same topic as the one below, but different and less common. {persona}\n#Given Prompt#:\n{instruction}\n#Created Prompt#:',
    zh: '写一条与下面指令同一主题、但不同且更少见的新指令。{persona}\n#给定提示#：\n{instruction}\n#创作的提示#：',
  },
  // The method sentences without the scaffolding words ("#The Given Prompt#"), which small models copy.
  'evol.method.addConstraint': { en: 'Add one more constraint or requirement to it.', zh: '给它再增加一个约束或要求。' },
  'evol.method.deepen': { en: 'Make it ask about the topic in more depth.', zh: '让它对这个话题问得更深入。' },
  'evol.method.concretize': { en: 'Replace general words with more specific ones.', zh: '把笼统的说法换成更具体的说法。' },
  'evol.method.increaseReasoning': { en: 'Make it need several steps of reasoning.', zh: '让它需要多步推理才能回答。' },
  'evol.method.complicateInput': { en: 'Add a small table, list or piece of data that the task must use.', zh: '加入任务必须用到的一小段表格、列表或数据。' },
  'evol.equal': {
    en: 'Do these two instructions ask for the same thing, with the same constraints and depth?\nFirst: {first}\nSecond: {second}\nAnswer Equal or Not Equal.',
    zh: '这两条指令的要求、约束和深度是否相同？\n第一条：{first}\n第二条：{second}\n回答“相同”或“不相同”。',
  },
  // Multi-turn: the conversation quoted once per prompt, one instruction, the label to continue from.
  'multiTurn.followUp': {
    en: '{conversation}\n\nWrite the user\'s next short question about the same topic. {persona}\nUser:',
    zh: '{conversation}\n\n写出用户关于同一话题的下一个简短问题。{persona}\n用户：',
  },
  'multiTurn.judgeTurn': {
    en: 'Conversation:\n{conversation}\n\nNext question: {question}\nAnswer: {response}\n\nIs the next question on the same topic? Grade the answer from 1 (bad) to 5 (excellent). Reply with JSON: onTopic, accuracy, completeness, usefulness, score and a short reason.',
    zh: '对话：\n{conversation}\n\n下一个问题：{question}\n回答：{response}\n\n下一个问题是否仍在同一话题上？请为回答打 1（差）到 5（优秀）分。用 JSON 回复：onTopic、accuracy、completeness、usefulness、score 和简短的 reason。',
  },
  'multiTurn.judge': {
    en: 'Grade the assistant\'s answers in this conversation from 1 (bad) to 5 (excellent).\n\n{conversation}\n\nReply with JSON: accuracy, completeness, usefulness, score (each 1 to 5) and a short reason.',
    zh: '请为这段对话中助手的回答打 1（差）到 5（优秀）分。\n\n{conversation}\n\n用 JSON 回复：accuracy、completeness、usefulness、score（各 1 到 5）和简短的 reason。',
  },
  'judge.score': {
    en: 'Grade the answer to the question from 1 (bad) to 5 (excellent) for accuracy, completeness and usefulness.\n\nQuestion: {instruction}\n\nAnswer: {response}\n\nReply with JSON: accuracy, completeness, usefulness, score (each 1 to 5) and a short reason.',
    zh: '请为回答打分，从 1（差）到 5（优秀），看准确性、完整性和实用性。\n\n问题：{instruction}\n\n回答：{response}\n\n用 JSON 回复：accuracy、completeness、usefulness、score（各 1 到 5）和简短的 reason。',
  },
};

export const PRESETS: Record<string, RecipeInput> = {
  evol4: {
    version: 1,
    name: 'Evol-Instruct, 4 rounds',
    steps: [{ op: 'evolve', rounds: 4 }, { op: 'judge', minScore: 4 }, { op: 'filter' }, { op: 'dedup' }],
    // Evolving a benchmark-like seed rewords it: the reworded copy is what the n-gram check finds.
    decontam: { enabled: true },
  },
  selfInstruct: {
    version: 1,
    name: 'Self-Instruct',
    steps: [{ op: 'selfInstruct', count: 50 }, { op: 'filter' }],
  },
  answerJudge: {
    version: 1,
    name: 'Answer + judge only',
    steps: [{ op: 'respond' }, { op: 'judge', minScore: 4 }, { op: 'filter' }],
  },
  personaEvol: {
    version: 1,
    name: 'Persona × Evol',
    personas: { enabled: true, builtIn: true, custom: [] },
    steps: [{ op: 'evolve', rounds: 2 }, { op: 'judge', minScore: 4 }, { op: 'filter' }],
  },
  bestOfN: {
    version: 1,
    name: 'Best-of-N',
    steps: [{ op: 'bestOfN', n: 4, k: 1 }, { op: 'filter' }],
  },
  /**
   * For a 1–3B local model: short prompts, short answers, one evolution round, a judge held to its
   * schema (constrained output is the default), a passing score of 3 (small judges grade harshly
   * and coarsely), and a minimum length that short correct answers pass.
   */
  smallModel: {
    version: 1,
    name: 'Small local model (1–3B)',
    constrained: true,
    thinking: 'off',
    templates: SMALL_MODEL_TEMPLATES,
    steps: [
      { op: 'evolve', rounds: 1, maxTokens: 192, temperature: 0.7 },
      { op: 'respond', maxTokens: 192 },
      { op: 'judge', minScore: 3, retries: 1 },
      { op: 'filter', minChars: 20 },
    ],
  },
  /**
   * For private data (patient, client records): seeds and chunks redacted before any prompt, the
   * remote-call guard on, outputs redacted in the export (issue 17). Answer + judge, so nothing is
   * invented around the redacted placeholders beyond what the seed asks.
   */
  privateData: {
    version: 1,
    name: 'Private data (redacted, guarded)',
    privacy: { redactInputs: true, redactOutputs: true, guard: true, mode: 'placeholder' },
    steps: [{ op: 'respond' }, { op: 'judge', minScore: 4 }, { op: 'filter' }],
  },
  /**
   * Q&A from documents, for small local models (issue 14): 1 question per ~150 tokens of chunk
   * (at most 3: a 1–3B model's later questions repeat the first), short answers (256 tokens: a
   * grounded answer plus its quote line), and a groundedness pass mark of 4 — the answer's claims
   * are checked against the chunk, and "mostly supported" (3) is where small answerers start
   * adding facts the text does not have. Filters keep short correct answers (20 characters).
   */
  docQA: {
    version: 1,
    name: 'Q&A from documents',
    constrained: true,
    // A textbook chunk may hold an exam question (C-Eval, CMMLU): questions asked about it can copy it.
    decontam: { enabled: true },
    thinking: 'off',
    steps: [
      { op: 'questions', tokensPerQuestion: 150, minPerChunk: 1, maxPerChunk: 3, maxTokens: 256 },
      { op: 'groundedAnswer', maxTokens: 256 },
      { op: 'groundedJudge', minScore: 4, retries: 1 },
      { op: 'filter', minChars: 20 },
      { op: 'dedup' },
    ],
  },
  /**
   * The same with one Evol-Instruct round on each question, the question itself kept too. No
   * elimination: its trial answer is written without the chunk (a question only the chunk answers
   * would be "hard to answer"), and the grounded answer that follows does that job — an evolution
   * that left the text is rejected as unanswerable.
   */
  docQAEvol: {
    version: 1,
    name: 'Q&A from documents + Evol',
    constrained: true,
    // A textbook chunk may hold an exam question (C-Eval, CMMLU): questions asked about it can copy it.
    decontam: { enabled: true },
    thinking: 'off',
    templates: SMALL_MODEL_TEMPLATES,
    steps: [
      { op: 'questions', tokensPerQuestion: 150, minPerChunk: 1, maxPerChunk: 2, maxTokens: 256 },
      { op: 'evolve', rounds: 1, eliminate: false, keepOriginal: true, maxTokens: 192, weights: { addConstraint: 1, deepen: 1, concretize: 1, increaseReasoning: 1, complicateInput: 0, breadth: 0 } },
      { op: 'groundedAnswer', maxTokens: 256 },
      { op: 'groundedJudge', minScore: 4, retries: 1 },
      { op: 'filter', minChars: 20 },
      { op: 'dedup' },
    ],
  },
  /**
   * Multi-turn conversations (issue 16): each seed answered, then grown to 2–4 exchanges — the
   * user's follow-ups by the generator, answers by the responder, every turn and the whole
   * conversation judged; repeats and drift end a conversation (operators/multiTurn.ts).
   */
  multiTurn: {
    version: 1,
    name: 'Multi-turn conversations',
    steps: [{ op: 'respond' }, { op: 'multiTurn', minTurns: 2, maxTurns: 4 }, { op: 'filter' }],
  },
};
