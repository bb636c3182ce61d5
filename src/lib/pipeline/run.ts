import type { ChatTurn } from '../db/types';
import type { ChunkRef, SampleSource } from '../documents/types';
import { aborted, contextOverflow, isEngineError } from '../engines/errors';
import { estimateTokens, splitReasoning, TEMPLATE_OPENS_THINK } from '../engines/structured';
import type { Role } from '../engines/roles';
import type { ChatEvent } from '../engines/types';
import { estimateCalls } from './estimate';
import { responseProblem } from './filters';
import { bestOfN } from './operators/bestOfN';
import { critiqueRevise } from './operators/critique';
import { evolveChain } from './operators/evolve';
import { grounding, groundedAnswer, groundedJudge, type Grounding } from './operators/grounded';
import { judge } from './operators/judge';
import { multiTurn } from './operators/multiTurn';
import { askQuestions, questionsFor } from './operators/questions';
import { respond } from './operators/respond';
import { rewardScore, type RewardModel } from './operators/reward';
import { generateInstance, generateInstruction } from './operators/selfInstruct';
import { BUILT_IN_PERSONAS, personaFor, personaText } from './personas';
import { mixSeed, mulberry32 } from '../random';
import { magpiePromptFor, magpieQuery } from './magpie';
import { maxRougeL } from './rouge';
import type { Recipe } from './recipe';
import { TEMPLATES, templateHash } from './templates';
import { detectLang, type Lang } from '../text/language';
import {
  addTask,
  newCandidate,
  type CallRecord,
  type Candidate,
  type OpContext,
  type PipelineEngines,
  type RunCounts,
  type RunEvent,
  type RunStore,
  type SampleDraft,
  type TaskDelta,
} from './types';

export interface SeedRef {
  id: string;
  instruction: string;
  input: string;
  output: string;
}

/**
 * A run's seed snapshot read in pages (the command line's SQLite store: a run of 100k seeds never
 * holds them all; see runRecipe). `read` may be called for any range, in any order.
 */
export interface SeedPages {
  count: number;
  /** Seeds one read asks for (SEED_PAGE when absent). */
  pageSize?: number;
  /** Seeds [from, to) of the snapshot, in snapshot order. */
  read(from: number, to: number): Promise<SeedRef[]>;
}

/** Seeds a paged run holds at once: about this many, plus the tasks in flight. */
export const SEED_PAGE = 4096;

export interface RunInput {
  runId: string;
  recipe: Recipe;
  /** The seeds as they were when the run was created (a resumed run uses the same): all, or in pages. */
  seeds: SeedRef[] | SeedPages;
  /**
   * A document recipe's chunks (it starts with Questions), as they were when the run was created:
   * task t grounds on chunk floor(t / copiesPerSeed). Ignored by other recipes.
   */
  chunks?: ChunkRef[];
  engines: PipelineEngines;
  store: RunStore;
  /** Tasks run side by side. Fixed when the run is created: resuming with another value would change the items. */
  concurrency: number;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /**
   * The reward model of the recipe's Reward step (engines/remote/reward.ts rewardModelFor), or why
   * there is none: the step is then skipped, says so once ('skipped') and in each item's notes.
   */
  reward?: RewardModel | { skipped: string };
}

/**
 * A seed's candidate whose output a model wrote is no longer the seed: it takes the operation
 * that wrote its output — respond, critique (the revision) or bestOfN — and keeps its seedId.
 * (Once such answers stayed 'seed': the export called them synthetic seeds and Review showed
 * them as seeds.) Only items whose instruction is the seed's change: an evolved or Self-Instruct
 * item keeps the operation that made its instruction. A seed passed through unchanged (judged,
 * filtered) stays 'seed'.
 */
const SEED_ANSWER_OPS = new Set(['seed', 'respond', 'critique', 'bestOfN', 'questions', 'groundedAnswer']);
function answeredBy(cand: Candidate, op: 'respond' | 'critique' | 'bestOfN' | 'groundedAnswer'): void {
  if (SEED_ANSWER_OPS.has(cand.operation)) cand.operation = op;
  // Respond, critique and best-of-N write without the chunk: the spans an earlier grounded answer
  // cited were that answer's quotes, not this one's (the drawer would mark them as its own).
  if (op !== 'groundedAnswer' && cand.source?.cited.length) cand.source = { ...cand.source, cited: [] };
}

/**
 * How many tasks (items started) a recipe makes: from `seeds` seeds — or, for a document recipe
 * (one that starts with Questions), from that many chunks; `maxSeeds` then bounds the chunks.
 */
export function taskCount(recipe: Recipe, seeds: number): number {
  const first = recipe.steps[0]!;
  if (first.op === 'selfInstruct' || first.op === 'magpie') return first.count;
  return Math.min(seeds, recipe.maxSeeds ?? Infinity) * recipe.copiesPerSeed;
}

/**
 * Errors that say the endpoint, not the item, failed — after the engine's own retries. A task that
 * failed with one is NOT committed as a rejected sample (that would bake an outage into the dataset
 * and never retry it): it stays open, counted as held back, and a resumed run makes it. The first
 * set may pass (a blip); the second means every call will fail (a wrong key or model name), so one
 * of them stops the run at once. One policy for the app and the command line.
 */
export const ENDPOINT_TRANSIENT: ReadonlySet<string> = new Set(['RateLimitedError', 'ServerError', 'NetworkError', 'TimeoutError', 'BatchRequestError']);
export const ENDPOINT_FATAL: ReadonlySet<string> = new Set(['BadKeyError', 'ModelNotFoundError', 'CorsError']);
/** Tasks in a row failing on the endpoint after which the run stops instead of burning through its seeds. */
export const FAILING_STREAK = 10;

/** How a task's error is held back: its reason, and whether it means the endpoint will fail every call. */
export interface Hold {
  reason: string;
  /** An endpoint failure (counts towards FAILING_STREAK); false for a guard's `hold: true`. */
  endpoint: boolean;
  fatal: boolean;
}

/**
 * Whether a task's error holds the task back instead of rejecting its items: an endpoint failure
 * (by name, as comlink keeps names) or any error that carries `hold: true` (a guard that refused
 * to send the prompt, e.g. PiiGuardError), with the error's own `reason` when it gives one.
 * null: the item itself failed and is kept as a rejected sample.
 */
export function holdOf(e: unknown): Hold | null {
  const err = e as { name?: unknown; hold?: unknown; reason?: unknown } | null;
  const name = typeof err?.name === 'string' ? err.name : '';
  const fatal = ENDPOINT_FATAL.has(name);
  if (fatal || ENDPOINT_TRANSIENT.has(name)) return { reason: `error:${name}`, endpoint: true, fatal };
  if (err?.hold === true) return { reason: typeof err.reason === 'string' && err.reason ? err.reason : `error:${name || 'Error'}`, endpoint: false, fatal: false };
  return null;
}

/** Why the pipeline stopped taking tasks on its own: one fatal endpoint error, or FAILING_STREAK in a row. */
export interface RunHalt {
  fatal: boolean;
  /** Endpoint failures in a row when it stopped. */
  streak: number;
  /** The last error, "Name: message". */
  error: string;
}

/** Tasks left uncommitted by the policy above, in this session: they stay open for a resume. */
export interface HeldBack {
  tasks: number;
  /** Held tasks per reason (`error:<name>` or a guard's reason). */
  reasons: Record<string, number>;
  halt: RunHalt | null;
}

/** What runRecipe ends with: the counts of the committed tasks, and the tasks it held back. */
export type RunOutcome = RunCounts & { heldBack: HeldBack };

/**
 * Drives a recipe over the seeds: `concurrency` tasks run side by side (Self-Instruct: in fixed
 * batches of that many, see below), each task's
 * samples are committed to the store when it finishes, and a task's randomness (choices, few-shot
 * examples, persona, the engines' sampling seeds) depends only on the recipe's seed and the task
 * index — so a run that is stopped and resumed ends with the same items as one that was not
 * (given engines that honour the sampling seed, as wllama does). A task whose item fails is
 * recorded as a rejected sample with the error; one that fails on the endpoint is held back (see
 * holdOf): not committed, and FAILING_STREAK of them in a row (or one fatal) stop the run — it
 * emits 'halted' (the caller may abort the calls in flight) and takes no further task. Aborting
 * (pause, cancel, a closed tab) loses only the tasks in flight.
 */
export async function runRecipe(inp: RunInput): Promise<RunOutcome> {
  const { recipe, seeds, engines, store, signal, runId } = inp;
  const emit = inp.onEvent ?? (() => {});
  const fromDocuments = recipe.steps[0]?.op === 'questions';
  const chunks = fromDocuments ? (inp.chunks ?? []) : [];
  const seedCount = Array.isArray(seeds) ? seeds.length : seeds.count;
  const items = fromDocuments ? chunks.length : seedCount;
  const total = taskCount(recipe, items);
  const started = performance.now();
  const state = await store.progress(runId);
  let counts: RunCounts = { ...state.counts, total };
  const pool = [...state.pool];
  const c = Math.max(1, inp.concurrency);
  const first = recipe.steps[0]!;
  const seedsIn = async (from: number, to: number): Promise<SeedRef[]> => (Array.isArray(seeds) ? seeds.slice(from, to) : seeds.read(from, to));
  // Self-Instruct shows every human instruction as a few-shot candidate: it reads them all (its
  // seed sets are small). Other recipes read a seed when its task starts (seedOf below).
  const humanInstructions = first.op === 'selfInstruct' ? (await seedsIn(0, seedCount)).map((s) => s.instruction) : [];
  const runLang: Lang = recipe.language === 'auto' ? detectLang(fromDocuments ? chunks.slice(0, 50).map((x) => x.text.slice(0, 500)).join('\n') : (await seedsIn(0, 50)).map((s) => s.instruction).join('\n')) : recipe.language;
  // Loop-invariant facts of the recipe, read once rather than per candidate.
  const judgeStep = recipe.steps.find((x) => x.op === 'judge');
  const judgeRetries = judgeStep?.op === 'judge' ? judgeStep.retries : 2;
  const keepsSeeds = recipe.steps.some((s) => s.op === 'respond' || s.op === 'bestOfN' || s.op === 'judge' || s.op === 'filter' || s.op === 'dedup' || s.op === 'reward');
  const rewardModel = inp.reward && 'score' in inp.reward ? inp.reward : null;
  // Magpie: the generator's pre-query prefix, once per run; an engine that cannot run it stops the
  // run here with the reason (MagpieUnsupportedError), before any task.
  const magpie = first.op === 'magpie' ? await magpiePromptFor(engines.generator, first.system) : null;
  const rewardSkipped = rewardModel ? null : ((inp.reward as { skipped: string } | undefined)?.skipped ?? 'no reward model configured: give the Reward step a server URL and a model');
  const personaList = recipe.personas.enabled ? [...(recipe.personas.builtIn ? BUILT_IN_PERSONAS : []), ...recipe.personas.custom.filter((p) => p.trim())] : [];
  let sessionTasks = 0;
  // Model calls finished in this session, and their speed: the ETA before the first item is done
  // (an item of a 4-round evolution is a dozen calls: once the ETA stayed "–" for 80 s).
  let sessionCalls = 0;
  let sessionModelMs = 0;
  let sessionCompletion = 0;
  // Calls an item makes when every call succeeds the first time (./estimate.ts, the pre-run estimate).
  const planned = estimateCalls(recipe, items, fromDocuments ? chunks.map((x) => x.tokens) : undefined);
  const perItem = planned.tasks > 0 ? planned.calls / planned.tasks : 1;

  const eta = (wall: number, left: number): number | null => {
    if (sessionTasks > 0) return (wall / sessionTasks / 1000) * left;
    if (sessionCalls > 0) return Math.max(0, (wall / sessionCalls / 1000) * (perItem * left - sessionCalls));
    return null;
  };
  const progress = () => {
    const wall = performance.now() - started;
    const left = counts.total - counts.done;
    // Before the first commit the counts hold no call of this session yet: add the calls seen.
    const early = sessionTasks === 0;
    const modelMs = counts.modelMs + (early ? sessionModelMs : 0);
    const completion = counts.completionTokens + (early ? sessionCompletion : 0);
    emit({
      type: 'progress',
      counts: { ...counts, wallMs: counts.wallMs + wall },
      tokensPerSecond: modelMs > 0 ? (completion * 1000) / modelMs : null,
      etaSeconds: eta(wall, left),
    });
  };
  progress();
  if (rewardSkipped !== null && recipe.steps.some((s) => s.op === 'reward')) emit({ type: 'skipped', op: 'reward', reason: rewardSkipped });

  const questionsStep = first.op === 'questions' ? first : null;
  /**
   * A document task's grounding: its chunk — or, for the share `multiChunk` of tasks (drawn from
   * the recipe's seed and the task index), its chunk and the one right after it in its document —
   * and the provenance its candidates start from.
   */
  function documentTask(t: number): { g: Grounding; source: SampleSource; multi: boolean } {
    const at = Math.floor(t / recipe.copiesPerSeed);
    const chunk = chunks[at]!;
    const next = chunks[at + 1];
    // The next chunk of the document itself: one after an excluded chunk would join text the
    // prompt never showed (the excluded chunk's) into the sample's span.
    const adjacent = next?.documentId === chunk.documentId && next.index === chunk.index + 1;
    const multi = !!questionsStep && questionsStep.multiChunk > 0 && adjacent && mulberry32(mixSeed(recipe.seed, t, 0x6d63))() < questionsStep.multiChunk;
    const group = multi ? [chunk, next!] : [chunk];
    const last = group.at(-1)!;
    const pages = group.map((x) => x.pages).filter((p): p is [number, number] => !!p);
    const source: SampleSource = {
      documentId: chunk.documentId,
      documentName: chunk.documentName,
      chunkId: chunk.id,
      chunkIndex: chunk.index,
      ...(multi ? { moreChunks: group.slice(1).map((x) => ({ id: x.id, index: x.index })) } : {}),
      pages: pages.length ? [Math.min(...pages.map((p) => p[0])), Math.max(...pages.map((p) => p[1]))] : null,
      headingPath: chunk.headingPath,
      span: [chunk.span[0], last.span[1]],
      cited: [],
      ...(chunk.label !== undefined ? { label: chunk.label } : {}),
    };
    return { g: grounding(group), source, multi };
  }

  /**
   * The seed of a seed-made task. Paged seeds: the window takes tasks in index order, so the pages
   * it needs come in order too; the pages next to the one last read are kept (a slot may still
   * start a task of the previous page after another slot read the next one).
   */
  const pages = new Map<number, Promise<SeedRef[]>>();
  async function seedOf(t: number): Promise<SeedRef | null> {
    if (first.op === 'selfInstruct' || first.op === 'magpie' || fromDocuments) return null;
    const at = Math.floor(t / recipe.copiesPerSeed);
    if (Array.isArray(seeds)) return seeds[at]!;
    const size = seeds.pageSize ?? SEED_PAGE;
    const no = Math.floor(at / size);
    let page = pages.get(no);
    if (!page) {
      page = seeds.read(no * size, Math.min(seedCount, (no + 1) * size));
      pages.set(no, page);
      for (const k of pages.keys()) if (k < no - 1 || k > no + 1) pages.delete(k);
    }
    const seed = (await page)[at % size];
    if (!seed) throw Object.assign(new Error(`seed ${at} of the run's ${seedCount} is missing from its snapshot: the run cannot be resumed as it was made`), { name: 'NotFoundError' });
    return seed;
  }

  async function runTask(t: number, poolBefore: string[]): Promise<TaskDelta> {
    const rng = mulberry32(mixSeed(recipe.seed, t));
    const seed = await seedOf(t);
    const doc = fromDocuments ? documentTask(t) : null;
    const lang: Lang = recipe.language !== 'auto' ? recipe.language : seed ? detectLang(seed.instruction) : doc ? detectLang(doc.g.text) : runLang;
    const persona = personaList.length ? personaText(personaFor(t, personaList, mulberry32(mixSeed(recipe.seed, 0x5eed))), lang) : null;
    const delta: TaskDelta = { samples: [], pool: [], calls: 0, promptTokens: 0, completionTokens: 0, modelMs: 0 };
    let k = 0;
    let callNo = 0;
    let lastLive = 0;
    const ctx: OpContext = {
      lang,
      rng,
      templates: recipe.templates,
      persona,
      nextKey: () => `${t}.${k++}`,
      async call(op: string, role: Role, template: string, prompt: string | ChatTurn[], opts = {}): Promise<CallRecord> {
        const engine = engines[role];
        const messages: ChatTurn[] = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt;
        const seedOfCall = mixSeed(recipe.seed, t, callNo++);
        // The context budget, checked before the call: an item that cannot fit is rejected as
        // contextOverflow with both numbers, never sent to fail as a bad request or cut silently.
        const contextLength = engine.contextLength ?? null;
        if (contextLength) {
          const maxTokens = opts.maxTokens ?? 512;
          const counted = !!engine.countTokens;
          const promptTokens = engine.countTokens ? await engine.countTokens(messages) : estimateTokens(messages);
          if (promptTokens + maxTokens > contextLength) throw contextOverflow(`${op} (${engine.model})`, { promptTokens, maxTokens, contextLength, counted });
        }
        const schema = recipe.constrained ? opts.schema : undefined;
        const t0 = performance.now();
        let retries = 0;
        let live = '';
        let done: Extract<ChatEvent, { type: 'done' }> | null = null;
        const it = engine.chat(
          {
            messages,
            temperature: opts.temperature,
            maxTokens: opts.maxTokens,
            seed: seedOfCall,
            ...(opts.raw && typeof prompt === 'string' ? { prompt, stop: opts.raw.stop } : {}),
            ...(schema ? { schema } : {}),
            ...(recipe.thinking === 'off' ? { thinking: false } : {}),
          },
          signal,
        );
        for await (const ev of it) {
          if (ev.type === 'delta') {
            live += ev.text;
            const now = performance.now();
            if (now - lastLive > 100) {
              lastLive = now;
              emit({ type: 'live', task: t, op, text: live });
            }
          } else if (ev.type === 'retry') {
            retries = Math.max(retries, ev.attempt); // attempt 0: another schema mechanism, not a retry
            live = '';
          } else done = ev;
        }
        const ms = performance.now() - t0;
        if (!done) throw new Error(`${engine.kind} ended a call without an answer`);
        delta.calls++;
        delta.modelMs += ms;
        delta.promptTokens += done.usage?.promptTokens ?? 0;
        delta.completionTokens += done.usage?.completionTokens ?? 0;
        // Until an item is committed, each call refines the ETA and the speed.
        if (sessionTasks === 0) {
          sessionCalls++;
          sessionModelMs += ms;
          sessionCompletion += done.usage?.completionTokens ?? 0;
          progress();
        }
        // Reasoning models: the thinking is split off here, in one place, and kept in the lineage;
        // parsers, filters, dedup and the sample see the answer alone.
        const split = splitReasoning(done.text, TEMPLATE_OPENS_THINK.test(done.model));
        if (opts.schema && !(schema && done.constrained)) delta.freeTextShapes = (delta.freeTextShapes ?? 0) + 1;
        const reasoning = [done.reasoning?.trim(), split.reasoning].filter(Boolean).join('\n\n');
        return {
          op,
          role,
          engine: engine.kind,
          model: done.model,
          template,
          templateVersion: TEMPLATES[template]?.version ?? 0,
          templateHash: templateHash(template, lang, recipe.templates),
          raw: split.answer,
          tokensPerSecond: done.timing.tokensPerSecond,
          promptTokensPerSecond: done.timing.promptTokensPerSecond ?? null,
          ...(reasoning ? { reasoning } : {}),
          ...(opts.schema ? { schema: opts.schema.name, constrained: schema ? (done.constrained ?? null) : null } : {}),
          promptTokens: done.usage?.promptTokens ?? null,
          completionTokens: done.usage?.completionTokens ?? null,
          ms,
          retries,
        };
      },
    };
    const reject = (cand: Candidate, reason: string): SampleDraft => ({ ...cand, status: 'rejected', rejectReason: reason, taskIndex: t });
    let cands: Candidate[] = seed
      ? [newCandidate(ctx.nextKey(), { instruction: seed.instruction, input: seed.input, output: seed.output, outputFrom: 'seed', seedId: seed.id, persona })]
      : [];
    try {
      for (const step of recipe.steps) {
        if (signal?.aborted) break;
        switch (step.op) {
          case 'selfInstruct': {
            const machine = poolBefore;
            const g = await generateInstruction(ctx, humanInstructions, machine, [...humanInstructions, ...machine], step);
            const cand = newCandidate(ctx.nextKey(), { instruction: g.instruction, operation: 'selfInstruct', persona, calls: [g.call] });
            if (g.ok) cand.notes.rougeL = g.rouge;
            else if (g.rouge !== undefined) cand.notes.rougeL = { score: g.rouge, match: g.match };
            if (!g.ok) {
              delta.samples.push(reject(cand, g.reason));
              cands = [];
              break;
            }
            delta.pool.push(g.instruction);
            if (step.instances) {
              const { instance, call } = await generateInstance(ctx, g.instruction, step.temperature);
              cand.calls.push(call);
              if (!instance) {
                delta.samples.push(reject(cand, 'selfInstruct:noInstance'));
                cands = [];
                break;
              }
              cand.input = instance.input;
              cand.output = instance.output;
              cand.outputFrom = 'selfInstruct:instance';
            }
            cands = [cand];
            break;
          }
          case 'magpie': {
            const g = await magpieQuery(ctx, magpie!, step);
            const cand = newCandidate(ctx.nextKey(), { instruction: g.instruction, operation: 'magpie', persona, calls: [g.call] });
            if (!g.ok) {
              delta.samples.push(reject(cand, g.reason));
              cands = [];
              break;
            }
            cands = [cand];
            break;
          }
          case 'questions': {
            if (!doc) break;
            const n = doc.multi ? 1 : questionsFor(doc.g.chunks[0]!.tokens, step);
            const { questions, call } = await askQuestions(ctx, doc.g.text, n, step);
            if (!questions.length) {
              const none = newCandidate(ctx.nextKey(), { instruction: '', operation: 'questions', persona, calls: [call], source: doc.source });
              delta.samples.push(reject(none, 'questions:none'));
              cands = [];
              break;
            }
            // Every question of the task came from one call: each sample's lineage shows it.
            cands = questions.map((q) => newCandidate(ctx.nextKey(), { instruction: q.text, operation: 'questions', persona, calls: [call], source: { ...doc.source, questionType: q.type } }));
            break;
          }
          case 'groundedAnswer': {
            if (!doc) break;
            const nextCands: Candidate[] = [];
            for (const cand of cands) {
              const r = await groundedAnswer(ctx, cand, doc.g, step);
              answeredBy(cand, 'groundedAnswer');
              if (r.ok) nextCands.push(cand);
              else delta.samples.push(reject(cand, r.reason));
            }
            cands = nextCands;
            break;
          }
          case 'groundedJudge': {
            if (!doc) break;
            const nextCands: Candidate[] = [];
            for (const cand of cands) {
              const r = await groundedJudge(ctx, cand, doc.g, step.retries);
              if (!r.ok) {
                cand.notes.groundedRaw = r.raw;
                cand.notes.groundedWhy = r.why;
                delta.samples.push(reject(cand, 'judgeFailed'));
                continue;
              }
              // Its own note: the quality judge's verdict and score (cand.verdict, cand.score) stay its own.
              cand.notes.groundedness = { score: r.score, unsupported: r.unsupported, reason: r.reason };
              if (r.score < step.minScore) {
                cand.notes.unsupported = r.unsupported;
                delta.samples.push(reject(cand, 'ungrounded'));
              } else nextCands.push(cand);
            }
            cands = nextCands;
            break;
          }
          case 'evolve': {
            const nextCands: Candidate[] = [];
            for (const cand of cands) {
              const { evolved, failed } = await evolveChain(ctx, cand, { ...step, responseTemperature: 0.7 }, t);
              delta.samples.push(...failed);
              if (step.keepOriginal && cand.operation !== 'seed') nextCands.push(cand);
              nextCands.push(...evolved);
            }
            cands = nextCands;
            break;
          }
          case 'respond':
            for (const cand of cands) {
              if (cand.outputFrom === 'evol:elimination') continue;
              await respond(ctx, cand, step.temperature, step.maxTokens);
              answeredBy(cand, 'respond');
            }
            break;
          case 'critique':
            for (const cand of cands) {
              if (!cand.output) continue;
              await critiqueRevise(ctx, cand, step.maxTokens);
              if (cand.outputFrom === 'revision') answeredBy(cand, 'critique');
            }
            break;
          case 'bestOfN': {
            const nextCands: Candidate[] = [];
            for (const cand of cands) {
              const r = await bestOfN(ctx, cand, { ...step, judgeRetries }, t);
              for (const x of [...r.kept, ...r.rejected]) answeredBy(x, 'bestOfN');
              delta.samples.push(...r.rejected);
              nextCands.push(...r.kept);
            }
            cands = nextCands;
            break;
          }
          case 'judge': {
            const nextCands: Candidate[] = [];
            for (const cand of cands) {
              if (!cand.verdict) {
                const r = await judge(ctx, cand, step.retries);
                if (!r.ok) {
                  cand.notes.judgeRaw = r.raw;
                  cand.notes.judgeWhy = r.why;
                  delta.samples.push(reject(cand, 'judgeFailed'));
                  continue;
                }
                cand.verdict = r.verdict;
                cand.score = r.verdict.score;
              }
              if ((cand.score ?? 0) < step.minScore) delta.samples.push(reject(cand, 'lowScore'));
              else nextCands.push(cand);
            }
            cands = nextCands;
            break;
          }
          case 'reward': {
            if (!rewardModel) {
              for (const cand of cands) cand.notes.rewardSkipped = rewardSkipped;
              break;
            }
            const r = await rewardScore(cands, rewardModel, step, signal);
            delta.modelMs += r.ms;
            for (const cand of r.rejected) delta.samples.push(reject(cand, 'rewardLow'));
            cands = r.kept;
            break;
          }
          case 'multiTurn': {
            const nextCands: Candidate[] = [];
            for (const cand of cands) {
              const r = await multiTurn(ctx, cand, step);
              // A seed's conversation is written by the models: it is no longer the seed (see answeredBy).
              if (cand.operation === 'seed') cand.operation = 'multiTurn';
              if (r.ok) nextCands.push(cand);
              else delta.samples.push(reject(cand, r.reason));
            }
            cands = nextCands;
            break;
          }
          case 'dedup':
            break; // runs once over the finished items, after the last task (runner/dedupPhase.ts)
          case 'filter': {
            const nextCands: Candidate[] = [];
            for (const cand of cands) {
              const problem = cand.output === null ? 'noResponse' : responseProblem(cand.instruction, cand.output, step);
              if (problem) delta.samples.push(reject(cand, `filter:${problem}`));
              else nextCands.push(cand);
            }
            cands = nextCands;
            break;
          }
        }
      }
      if (signal?.aborted) throw aborted('the run');
      for (const cand of cands) if (cand.operation !== 'seed' || keepsSeeds) delta.samples.push({ ...cand, status: 'accepted', rejectReason: null, taskIndex: t });
    } catch (e) {
      if (signal?.aborted || isEngineError(e, 'AbortedError') || holdOf(e)) throw e;
      // One item's failure never ends the run: what was still in progress is recorded as rejected
      // with the error (each under its own key: some candidates may already be in the samples).
      const err = e as Error;
      emit({ type: 'taskFailed', task: t, name: err.name, message: err.message });
      const overflow = isEngineError(err, 'ContextOverflowError') ? err.context : undefined;
      const stored = new Set(delta.samples.map((x) => x.key));
      const open = cands.filter((c) => !stored.has(c.key));
      const failed = open.length ? open : [newCandidate(ctx.nextKey(), { instruction: seed?.instruction ?? '', seedId: seed?.id ?? null, operation: first.op, source: doc?.source ?? null })];
      for (const c of failed) {
        const notes = { ...c.notes, error: `${err.name}: ${err.message}`, ...(overflow ? { context: overflow } : {}) };
        delta.samples.push({ ...c, notes, status: 'rejected', rejectReason: overflow ? 'contextOverflow' : `error:${err.name}`, taskIndex: t });
      }
      delta.pool = [];
    }
    // A parentKey names a stored sample or nothing: the seed's own candidate (the seed is named by
    // seedId) and a Self-Instruct instruction evolved without keepOriginal are never stored.
    const storedKeys = new Set(delta.samples.map((x) => x.key));
    for (const x of delta.samples) if (x.parentKey !== null && !storedKeys.has(x.parentKey)) x.parentKey = null;
    return delta;
  }

  const heldBack: HeldBack = { tasks: 0, reasons: {}, halt: null };
  let streak = 0;
  /** Stops taking tasks: an abort, or the endpoint failing (see holdOf). */
  const stopped = () => !!signal?.aborted || heldBack.halt !== null;
  /** A task that finished: it ends a streak of endpoint failures. */
  const finished = () => {
    streak = 0;
  };
  /**
   * A task that threw, left uncommitted (redone on resume): stopped by an abort, or held back
   * (counted, and perhaps halting the run); any other error ends the run.
   */
  const held = (t: number, e: unknown): void => {
    if (signal?.aborted || (e as Error)?.name === 'AbortedError') return;
    const h = holdOf(e);
    if (!h) throw e;
    const err = e as Error;
    heldBack.tasks++;
    heldBack.reasons[h.reason] = (heldBack.reasons[h.reason] ?? 0) + 1;
    emit({ type: 'taskFailed', task: t, name: err.name, message: err.message, held: h.reason });
    if (!h.endpoint) return;
    streak++;
    if (heldBack.halt === null && (h.fatal || streak >= FAILING_STREAK)) {
      heldBack.halt = { fatal: h.fatal, streak, error: `${err.name}: ${err.message}` };
      emit({ type: 'halted', ...heldBack.halt });
    }
  };

  try {
    if (first.op === 'selfInstruct') await batches();
    else await slidingWindow();
  } finally {
    counts = { ...counts, wallMs: counts.wallMs + (performance.now() - started) };
  }
  return { ...counts, heldBack };

  /** Self-Instruct: tasks in fixed batches of `c`, as each batch's pool must be fixed. */
  async function batches(): Promise<void> {
    // A task's commit runs while the next task's model calls do: IndexedDB's latency (a few ms
    // per transaction) would otherwise add to every item. At most one commit is in flight, so a
    // crash loses at most the items in flight plus that one — all redone the same way on resume.
    let inFlight: Promise<void> = Promise.resolve();
    for (let b = 0; b * c < total; b++) {
      if (stopped()) break;
      const tasks: number[] = [];
      for (let t = b * c; t < Math.min(total, (b + 1) * c); t++) if (!state.completed.has(t)) tasks.push(t);
      if (!tasks.length) continue;
      // The pool a batch sees is fixed by the batch boundary, whatever order tasks finish in.
      const poolBefore = pool.filter((p) => p.task < b * c).map((p) => p.text);
      const deltas = await Promise.all(
        tasks.map(async (t) => {
          try {
            const delta = await runTask(t, poolBefore);
            finished();
            return { t, delta };
          } catch (e) {
            held(t, e);
            return null; // not committed: redone on resume
          }
        }),
      );
      await inFlight;
      let done = deltas.filter((x): x is { t: number; delta: TaskDelta } => x !== null).sort((x, y) => x.t - y.t);
      // Tasks of one batch could not see each other's instructions: check them against each
      // other now, in task order, so that the pool never takes two near-duplicates (ROUGE-L).
      // A task's decision depends on every earlier task of its batch, so a resumed run decides
      // as an uninterrupted one only when
      //  - the check starts from the instructions of the batch's tasks committed in an earlier
      //    session (in the pool under their task index; an instruction rejected here never
      //    entered the pool, exactly as it is not in `kept` below), and
      //  - a task is committed only when every earlier task of its batch is committed too: a
      //    task that finished after one that was stopped (pause mid-batch) is redone on resume,
      //    once the earlier one's instruction is known. (Once a resumed run accepted an
      //    instruction that the uninterrupted one had rejected as similar.)
      if (first.op === 'selfInstruct') {
        const batchStart = b * c;
        const batchEnd = Math.min(total, (b + 1) * c);
        let next = batchStart;
        while (next < batchEnd && state.completed.has(next)) next++;
        done = done.filter((x) => {
          if (x.t !== next) return false;
          next++;
          while (next < batchEnd && state.completed.has(next)) next++;
          return true;
        });
        const kept: string[] = pool.filter((p) => p.task >= batchStart && p.task < batchEnd).sort((x, y) => x.task - y.task).map((p) => p.text);
        for (const { delta } of done) {
          const instr = delta.pool[0];
          if (instr === undefined) continue;
          const { score, match } = maxRougeL(instr, kept);
          if (score > first.rougeThreshold) {
            delta.pool = [];
            for (const smp of delta.samples) {
              if (smp.status !== 'accepted') continue;
              smp.status = 'rejected';
              smp.rejectReason = 'selfInstruct:similar';
              smp.notes = { ...smp.notes, rougeL: { score, match } };
            }
          } else kept.push(instr);
        }
      }
      for (const { t, delta } of done) for (const text of delta.pool) pool.push({ task: t, text });
      inFlight = (async () => {
        for (const { t, delta } of done) {
          await store.commitTask(runId, t, delta);
          counts = addTask(counts, delta);
          sessionTasks++;
          progress();
        }
      })();
      // A failed commit (quota, closed database) must stop the run, not pass silently.
      inFlight.catch(() => {});
    }
    await inFlight;
  }

  /**
   * Every recipe but Self-Instruct: a task depends on its index alone, so `c` tasks stay in flight
   * all the time — a slot that frees takes the next task at once, instead of waiting for the
   * slowest task of a fixed batch (at 256 in flight against a server, a batch's stragglers —
   * a retried call, a long answer — left most slots idle). Tasks commit in the order they finish,
   * one commit at a time, while the others' model calls go on; a crash loses the tasks in flight
   * and the commits not yet written, all redone the same way on resume.
   */
  async function slidingWindow(): Promise<void> {
    // Tasks are taken lazily in index order, skipping the committed ones: no list of every open
    // task held for the whole run (memory flat in the number of items).
    let next = 0;
    const take = (): number => {
      while (next < total && state.completed.has(next)) next++;
      return next < total ? next++ : -1;
    };
    let open = total;
    for (const t of state.completed) if (t < total) open--;
    let commitError: unknown = null;
    let commits: Promise<void> = Promise.resolve();
    const slot = async () => {
      while (!stopped() && commitError === null) {
        const t = take();
        if (t < 0) break;
        let delta: TaskDelta;
        try {
          delta = await runTask(t, []);
          finished();
        } catch (e) {
          held(t, e);
          continue; // not committed: redone on resume
        }
        commits = commits.then(async () => {
          if (commitError !== null) return;
          try {
            await store.commitTask(runId, t, delta);
            counts = addTask(counts, delta);
            sessionTasks++;
            progress();
          } catch (e) {
            // A failed commit (quota, closed database) stops the run: no slot takes another task.
            commitError = e;
          }
        });
      }
    };
    const slots = Promise.all(Array.from({ length: Math.max(0, Math.min(c, open)) }, slot));
    try {
      await slots;
    } finally {
      await commits;
    }
    if (commitError !== null) throw commitError;
  }
}
