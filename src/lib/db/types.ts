/**
 * The entities Seedforge stores. Plain data only: every value here can be structured-cloned,
 * written to IndexedDB and sent to a worker as is.
 */

import type { Chunk, ChunkRef, DocBlock, OutlineEntry, SampleSource } from '../documents/types';
import type { LabelTree } from '../documents/labelTree';
import type { RunBudget } from '../pipeline/budget';
import type { Verdict } from '../pipeline/judgeParse';
import type { RecipeInput } from '../pipeline/recipe';
import type { CallRecord, CandidateNotes, RunCounts } from '../pipeline/types';
import type { Roles } from '../engines/roles';
import type { DedupCheck, DuplicateMark, HumanAction } from './samplesRepo';

export interface Project {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** What the dataset card says that the data cannot: the licence (an SPDX id) and a description. */
  card?: ProjectCard;
  /** The getting-started checklist of this project (src/ui/start/). */
  guide?: ProjectGuide;
  /** The label tree of the project's documents; chunks' `label` holds its ids. */
  labels?: LabelTree;
  /** The last contamination check of the project's data against its eval sets (the dataset card lists it). */
  decontam?: DecontamReport;
}

export interface ProjectCard {
  license: string;
  description: string;
}

export interface ProjectGuide {
  /** 'auto': shown until every step is done; 'hidden': dismissed; 'shown': opened again from the header. */
  show: 'auto' | 'hidden' | 'shown';
  /** Nothing else records an export: set when one finished. */
  exported: boolean;
}

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatTurn {
  role: ChatRole;
  content: string;
}

/** Where an imported seed came from, so every stored row can be traced to its file and line. */
export interface SeedSource {
  file: string;
  line: number;
  format: string;
}

/** What an importer produces: a seed before it has an id and a project. */
export interface SeedDraft {
  instruction: string;
  input: string;
  output: string;
  system: string;
  /** The whole conversation, kept when the source was multi-turn chat. */
  turns?: ChatTurn[];
  /** Self-Instruct tasks may carry several input/output instances; the first is in input/output. */
  instances?: { input: string; output: string }[];
  tags: string[];
  /** Hash of the normalised instruction, input and output: equal hashes are exact duplicates. */
  hash: string;
  source: SeedSource;
}

export interface Seed extends SeedDraft {
  id: string;
  projectId: string;
  /** Position in import order within the project; the Seeds screen sorts by it. */
  order: number;
  createdAt: number;
  updatedAt: number;
}

export type SampleStatus = 'pending' | 'accepted' | 'rejected';

/**
 * A generated item. The pipeline (a later issue) fills the lineage fields; the shape is declared
 * now so that the schema's first version already has the indexes the pipeline queries.
 */
export interface Sample {
  id: string;
  projectId: string;
  runId: string;
  seedId: string | null;
  parentId: string | null;
  operation: string;
  round: number;
  persona: string | null;
  instruction: string;
  input: string;
  output: string;
  status: SampleStatus;
  rejectReason: string | null;
  score: number | null;
  duplicateOf: string | null;
  /** Document-made samples: the document, chunk, pages, heading path and cited spans it was grounded on. */
  source?: SampleSource;
  /**
   * A multi-turn sample's conversation (the recipe's multi-turn step): user/assistant turns, the
   * first exchange being instruction(+input) → output. Absent for single-turn samples.
   */
  turns?: ChatTurn[];
  /** Set by a contamination check when the sample repeats an eval item; absent or null: clean (or never checked). */
  contamination?: ContaminationMark | null;
  lineage: SampleLineage;
  createdAt: number;
  updatedAt: number;
}

/**
 * How a sample was made and what happened to it since. runsRepo.toSample writes the first six
 * fields from the pipeline's candidate; curation adds `human`, a dedup `dedup` and `dedupCheck`.
 * Every field is optional: a restored backup's lineage is only checked to be an object, so a
 * reader must not count on any of them.
 */
export interface SampleLineage {
  /** The run's task that made the sample (a resume redoes whole tasks). */
  taskIndex?: number;
  /** Where the output came from: the responder, an evolution's elimination check, a seed, an instance. */
  outputFrom?: string | null;
  verdict?: Verdict | null;
  /** Before critique-and-revise: the first response and its critique. */
  revisedFrom?: { output: string; critique: string } | null;
  /** Every model call that went into it, in order. */
  calls?: CallRecord[];
  notes?: CandidateNotes;
  /** A person's decisions and edits, oldest first (samplesRepo). */
  human?: HumanAction[];
  /** Its near-duplicate mark (io/export/source.ts duplicateMarked); absent: none. */
  dedup?: { duplicateOf: string; similarity: number | null; pass?: DuplicateMark['pass'] };
  /** The semantic dedup that last looked at it, and when. */
  dedupCheck?: DedupCheck & { at: number };
}

/** The one RunStatus lives with the pipeline's RunStore; the Run row names it. */
export type RunStatus = import('../pipeline/types').RunStatus;

/**
 * A pipeline run. With its seed snapshot (`runSeeds`) and its committed tasks (`runTasks`) it
 * carries everything needed to resume it exactly: the validated recipe, the engines of each role,
 * the batch size and the counts. Since version 9 the tasks done and the Self-Instruct pool are
 * rows of their own, not lists here: the row stays the same size however long the run.
 */
export interface Run {
  id: string;
  projectId: string;
  name: string;
  status: RunStatus;
  /**
   * The recipe as validated when the run was made. Read as the schema's input: a run made by an
   * older version may lack fields added since, so it is validated again (with their defaults) before use.
   */
  recipe: RecipeInput;
  /** The engine of each role; a run made by the CLI or a test may leave a role out. */
  roles: Partial<Roles>;
  /** Model of each role, for the dataset card and the self-preference warning. */
  models: Record<string, string>;
  /** Number of seeds in the snapshot (the snapshot itself is in `runSeeds`). */
  seedCount: number;
  concurrency: number;
  counts: RunCounts;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  /**
   * The run's caps on spend and tokens and what it has used (pipeline/budget.ts); absent: no cap.
   * Not indexed: read with the run.
   */
  budget?: RunBudget;
}

/**
 * One committed task of a run (version 9): written in the transaction that adds the task's
 * samples, so a commit writes a small row instead of rewriting the run's whole history.
 * `pool`: the Self-Instruct instructions this task added to the run's pool (absent: none).
 */
export interface RunTaskRow {
  runId: string;
  task: number;
  pool?: string[];
}

/**
 * A run's committed tasks as lists (gathered from its `runTasks` rows, in task order): what a
 * backup file's run line carries (the file keeps the layout it had when these lists were in the
 * run row) and what the dataset card reads for a run that stopped early.
 */
export interface RunTaskLists {
  completed: number[];
  pool: { task: number; text: string }[];
}

/** A run with its committed tasks: how a backup, a restore and the dataset card see a run. */
export type RunWithTasks = Run & RunTaskLists;

/** The seeds a run started from, as they were then: a resumed run uses exactly these. */
export interface RunSeeds {
  runId: string;
  seeds: { id: string; instruction: string; input: string; output: string }[];
  /** Runs from documents: the chunks as they were when the run was created (absent for seed runs). */
  chunks?: ChunkRef[];
}

export interface EmbeddingRow {
  model: string;
  hash: string;
  vector: Float32Array;
}

export interface SettingRow {
  key: string;
  value: unknown;
}

/** The formats the Documents library reads. */
export type DocumentType = 'pdf' | 'docx' | 'markdown' | 'html' | 'text' | 'epub';

/**
 * 'ready': every part was read. 'partial': stored, but something was not read — `error` says what
 * (e.g. pages of a PDF that had no text layer). A document whose extraction failed is not stored.
 */
export type DocumentStatus = 'ready' | 'partial';

/** What an extraction produced for one file, before it has an id and a project. */
export interface DocumentDraft {
  /** The file's name as dropped (`guide.pdf`). */
  name: string;
  type: DocumentType;
  /** Size of the file in bytes. */
  bytes: number;
  /** SHA-256 of the file's bytes, lowercase hex: the dataset card lists it; the same file twice is refused. */
  sha256: string;
  /** Page count where the format has pages (PDF), else null. */
  pages: number | null;
  title: string;
  /** The whole extracted text (see ExtractedDoc.text); every span and offset points into it. */
  text: string;
  blocks: DocBlock[];
  outline: OutlineEntry[];
  /** Offset in `text` where each page starts (`[0]` is page 1); empty for formats without pages. */
  pageStarts: number[];
  status: DocumentStatus;
  /** Why a 'partial' document is partial (`pages`: the pages concerned); null when 'ready'. */
  error: { name: string; message: string; pages?: number[] } | null;
}

export interface StoredDocument extends DocumentDraft {
  id: string;
  projectId: string;
  createdAt: number;
  updatedAt: number;
}

/** A chunk as the chunker makes it (see documents/types.ts `Chunk`), before it is stored. */
export type ChunkDraft = Omit<Chunk, 'id' | 'index'>;

/** A stored chunk: `index` is its 0-based position in its document (listed by [documentId+index]). */
export interface StoredChunk extends Omit<Chunk, 'id'> {
  id: string;
  projectId: string;
  documentId: string;
}

/**
 * A document's original file, kept for re-extraction (an extractor that improves, a password
 * given later, a page shown as it looked). In IndexedDB, not OPFS, so that it is written and
 * deleted in the same transaction as its document; Chromium stores the Blob as a file of its own
 * and reads it only when asked. Not in backups (they carry the extracted text).
 */
export interface DocumentFile {
  documentId: string;
  projectId: string;
  blob: Blob;
}

/** The shapes of benchmark files an eval set is read from (decontam/decontam.ts evalItemsFrom). */
export type EvalSetShape = 'gsm8k' | 'multipleChoice' | 'code' | 'arc' | 'hellaswag' | 'text';

/**
 * A benchmark file a project's data is checked against, stored once per project (the same bytes
 * twice are found by `sha256`). `items` hold what a contaminated sample would repeat (question and
 * options); answers are kept apart and never compared.
 */
export interface EvalSetRow {
  id: string;
  projectId: string;
  /** The file's name as dropped (`gsm8k-test.jsonl`). */
  name: string;
  shape: EvalSetShape;
  /** Fields joined into each item's text when the user mapped them ("any text fields"); absent: the shape's own. */
  fields?: string[];
  count: number;
  /** Size of the file in bytes. */
  bytes: number;
  /** SHA-256 of the file's bytes, lowercase hex. */
  sha256: string;
  items: { text: string; answer?: string }[];
  createdAt: number;
}

export type ContaminationMethod = 'exact' | 'ngram' | 'embedding';

/** Why a sample is marked contaminated: the eval item it repeats and the evidence (plain text). */
export interface ContaminationMark {
  /** The eval set's name and id (the name is kept: the set may be removed later). */
  evalSet: string;
  evalSetId: string;
  /** 0-based index of the item in its eval set. */
  evalIndex: number;
  method: ContaminationMethod;
  /** The normalised copy (exact), the first shared n-gram (ngram), or the eval item's text (embedding). */
  evidence: string;
  /** Share of the eval item's n-grams the sample has (1 for exact); for embedding, the cosine. */
  share: number;
  /** How many (eval set, item) pairs matched in all; the mark shows the strongest. */
  matches: number;
}

/** What a contamination check used and found, kept on the project for the dataset card. */
export interface DecontamReport {
  at: number;
  sets: { id: string; name: string; sha256: string; count: number; bytes: number }[];
  methods: DecontamMethods;
  /** Items checked and items found, per kind. */
  checked: { samples: number; seeds: number; chunks: number };
  found: { samples: number; seeds: number; chunks: number };
  /** Why a method did not run (e.g. no embedder), in English; absent when all ran. */
  skipped?: string[];
}

/** A check's methods and parameters (the recipe's `decontam` section without `enabled`). */
export interface DecontamMethods {
  exact: boolean;
  ngram: { enabled: boolean; wordN: number; charN: number; minShare: number };
  embedding: { enabled: boolean; threshold: number; model: string };
  includeOutputs: boolean;
}
