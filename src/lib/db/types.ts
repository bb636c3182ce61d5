/**
 * The entities Seedforge stores. Plain data only: every value here can be structured-cloned,
 * written to IndexedDB and sent to a worker as is.
 */

export interface Project {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** What the dataset card says that the data cannot: the licence (an SPDX id) and a description. */
  card?: ProjectCard;
  /** The getting-started checklist of this project (src/ui/start/). */
  guide?: ProjectGuide;
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
  lineage: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export type RunStatus = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

/**
 * A pipeline run. It carries everything needed to resume it exactly: the validated recipe, the
 * engines of each role, the seeds as they were at the start, the batch size, the tasks done and
 * the Self-Instruct pool.
 */
export interface Run {
  id: string;
  projectId: string;
  name: string;
  status: RunStatus;
  recipe: Record<string, unknown>;
  roles: Record<string, unknown>;
  /** Model of each role, for the dataset card and the self-preference warning. */
  models: Record<string, string>;
  /** Number of seeds in the snapshot (the snapshot itself is in `runSeeds`). */
  seedCount: number;
  concurrency: number;
  completed: number[];
  pool: { task: number; text: string }[];
  counts: Record<string, unknown>;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The seeds a run started from, as they were then: a resumed run uses exactly these. */
export interface RunSeeds {
  runId: string;
  seeds: { id: string; instruction: string; input: string; output: string }[];
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
