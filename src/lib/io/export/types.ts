import type { ChatTurn, DecontamReport, DocumentType } from '../../db/types';
import type { PageRange } from '../../documents/types';
import type { ExportPrivacyOptions, ExportPrivacySummary } from '../../privacy/exportScan';
import type { ReasoningMode } from '../../pipeline/reasoning';
import type { SplitOptions, SplitPart, SplitSummary } from './split';

/**
 * The export's shared types. Plain data only: an export's options and summary are snapshots that
 * can be stored, compared in tests and sent to a worker.
 */

/** The file layouts we write; each is documented in the README's "Export formats" section. */
export const EXPORT_FORMATS = ['alpaca-json', 'alpaca-jsonl', 'sharegpt-json', 'openai-jsonl', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Where an item came from. Kept (when asked) as a `provenance` object in the JSON formats and as
 * columns in CSV and Parquet; never in OpenAI JSONL, whose lines carry `messages` only.
 */
export interface Provenance {
  /** The sample's id, or the seed's id for real items. */
  id: string;
  /** `synthetic`: made by a run; `seed`: real data from the seed library. */
  source: 'synthetic' | 'seed';
  /** The pipeline operation that made the item (`evol:deepen`, `selfInstruct`, …); `seed` for real items. */
  operation: string;
  /** Evolution round (0 for items that were not evolved and for seeds). */
  round: number;
  /** Model(s) of the item's own generator-role calls, comma-separated; null when none. */
  generator: string | null;
  /** Model(s) of the item's responder-role calls (who wrote the answer); null when none. */
  responder: string | null;
  /** Model(s) of the item's judge-role calls; null when it was not judged. */
  judge: string | null;
  /** The judge's score (1–5), null when not judged. */
  score: number | null;
}

/**
 * Where the grounding text of a document-made item goes (README, "Source documents"):
 * `none`: nowhere (the default); `context`: a `context` field or column (OpenAI JSONL allows no
 * extra key, so there it becomes the system message); `system`: the system prompt (the chat
 * formats' system turn, Alpaca's `system`); `input`: the input, before the item's own input (Alpaca
 * `input`, the user turn after the question in chat formats): RAG-style fine-tuning.
 */
export const SOURCE_MODES = ['none', 'context', 'system', 'input'] as const;
export type SourceMode = (typeof SOURCE_MODES)[number];

/** The provenance fields of a document-made item, kept beside `Provenance` when the export has such items. */
export interface DocumentProvenance {
  /** The document's file name. */
  document: string | null;
  /** First and last page of the grounding text (PDF), null where unknown. */
  pages: PageRange | null;
  /** Titles of the enclosing headings, outermost first. */
  headingPath: string[] | null;
  /** The chunk the question was asked from. */
  chunkId: string | null;
}

/** A document-made item's source as the export writes it. */
export interface ItemSource {
  documentId: string;
  document: string;
  pages: PageRange | null;
  headingPath: string[];
  chunkId: string;
  /**
   * The grounding text: the stored document's text over the sample's span (all chunks of a
   * multi-chunk question); the run's chunk snapshot when the document was deleted; '' when neither
   * is left.
   */
  text: string;
}

/** One record as every format sees it: the training text plus where it came from. */
export interface ExportItem {
  instruction: string;
  input: string;
  output: string;
  /** System prompt; only seeds carry one today. Empty when none. */
  system: string;
  /** The whole conversation of a multi-turn seed; the chat formats write it instead of one exchange. */
  turns?: ChatTurn[];
  provenance: Provenance;
  /** Document-made items: the document, chunk and grounding text. */
  source?: ItemSource;
  /** The reasoning behind the answer (pipeline/reasoning.ts answerReasoning); written only as ExportOptions.reasoning says. */
  reasoning?: string;
}

/**
 * What each record carries besides its training text. `documents`: the export holds document-made
 * items, so (with provenance) every record carries the DocumentProvenance fields, null on the
 * others: one schema for the whole file.
 */
export interface RecordLayout {
  provenance: boolean;
  source: SourceMode;
  documents: boolean;
  /** A `reasoning` field or column on every record (ExportOptions.reasoning `field`); absent: none. */
  reasoning?: boolean;
}

/** Balancing per label: at most `perLabel` accepted samples of each label, or as many as the smallest label has. */
export type PerLabel = number | 'min';

/** What goes into an export. */
export interface ExportFilters {
  /** Only samples the pipeline (or a reviewer) accepted; otherwise pending ones too. Rejected samples never go out. */
  acceptedOnly: boolean;
  /** Samples scored below this are left out, and so are unscored ones; null: no threshold. Seeds have no score and are not affected. */
  minScore: number | null;
  /** Leave out samples marked as near-duplicates (`duplicateOf` set). */
  skipDuplicates: boolean;
  /** Wanted share of real seed data, in whole percent (0–100): real / (real + synthetic). */
  realPercent: number;
  /** Seed of the PRNG that picks which seeds go in (same seed and data: same file). */
  selectionSeed: number;
  /**
   * Keep at most this many of the samples that pass the other filters per label (`source.label`,
   * resolved through the project's label tree; unlabelled samples are one group), the best-scored
   * first (documents/coverage.ts balancePerLabel); absent or null: no balancing.
   */
  balance?: PerLabel | null;
  /** Keep samples a contamination check marked (they repeat an eval item); absent or false: left out. */
  includeContaminated?: boolean;
}

export interface ExportOptions extends ExportFilters {
  format: ExportFormat;
  /** Keep the per-item provenance fields (see Provenance) in the formats that allow extra fields. */
  provenance: boolean;
  /** Where document-made items' grounding text goes; absent: 'none'. */
  source?: SourceMode;
  /** Scan every written item for personal data, and redact it in the file when asked (src/lib/privacy/exportScan.ts). */
  privacy?: ExportPrivacyOptions;
  /** How reasoning traces are written (pipeline/reasoning.ts ReasoningMode); absent: 'drop'. */
  reasoning?: ReasoningMode;
  /**
   * A train/validation split (./split.ts): this export writes the side `part` of it; the same
   * options with the other part write the other file (the split depends on the data and the seed
   * alone). Absent: no split.
   */
  split?: SplitOptions & { part: SplitPart };
}

export const DEFAULT_FILTERS: ExportFilters = { acceptedOnly: true, minScore: null, skipDuplicates: true, realPercent: 0, selectionSeed: 1 };

/**
 * How many real items join the synthetic ones, by the rule in ./select.ts: all eligible
 * synthetic items are kept and seeds are added until real / (real + synthetic) reaches the wanted
 * share; when there are not enough seeds, all are used and `short` says so.
 */
export interface MixPlan {
  synthetic: number;
  seedsAvailable: number;
  realWanted: number;
  real: number;
  /** The share actually reached, 0–1 (NaN for an empty export). */
  share: number;
  short: boolean;
}

/** What an export wrote, for the screen and the dataset card. */
export interface ExportSummary {
  format: ExportFormat;
  options: ExportOptions;
  plan: MixPlan;
  /** Items written per detected language of their text. */
  languages: Record<'en' | 'zh', number>;
  /** Synthetic items written per operation. */
  operations: Record<string, number>;
  /** Runs whose samples are in the export. */
  runIds: string[];
  /** Models seen in the exported items' calls, per role, with the engine kind (`openai`, `anthropic`, `webllm`, `wllama`). */
  models: { role: string; model: string; engine: string }[];
  /** Samples left out, per reason (status, score, duplicate, no answer); seeds without an answer under `seedNoOutput`. */
  leftOut: Record<string, number>;
  /** The semantic dedups that looked at the exported samples (Dedup step or panel), distinct. */
  dedupChecks?: DedupCheckSummary[];
  /** How the exported synthetic items came to be accepted (absent in summaries written before it existed). */
  acceptance?: AcceptanceSummary;
  /** The documents the exported items were made from, with how many items each (absent or empty: none). */
  documents?: ExportedDocument[];
  /** Document-made items written without their grounding text (document and run snapshot both gone). */
  sourceMissing?: number;
  /** The project's last contamination check and how many marked samples were left out or kept (absent: never checked). */
  decontam?: { report: DecontamReport; excluded: number; kept: number };
  /** The personal-data scan of the written items (absent: not scanned). */
  privacy?: ExportPrivacySummary;
  /** How reasoning traces were written and how many items carried one (absent: dropped, the default). */
  reasoning?: { mode: Exclude<ReasoningMode, 'drop'>; items: number };
  /** The train/validation split and this file's side (absent: not split). */
  split?: SplitSummary;
  /** Some written record has a `system` key (the trainer handoff names the column only then: ./handoff.ts). */
  systemWritten?: boolean;
  bytes: number;
}

/** A document some exported items came from, for the dataset card: never its text. */
export interface ExportedDocument {
  id: string;
  name: string;
  /** Null when the document was deleted after the items were made (only its name is left, from the items). */
  type: DocumentType | null;
  pages: number | null;
  sha256: string | null;
  bytes: number | null;
  /** Exported items grounded on it. */
  items: number;
}

/**
 * Who accepted the exported synthetic items: the judge, the recipe alone (no judge step), or a
 * person over the pipeline's own verdict (`byHand`: that verdict, e.g. `judgeFailed`, → count).
 */
export interface AcceptanceSummary {
  judge: number;
  recipe: number;
  byHand: Record<string, number>;
  /** Pending items (exported when "accepted only" is off). */
  pending: number;
  /** Items whose text a person edited. */
  edited: number;
}

/** Progress of an export or a backup: a tagged union, like every progress in the app. */
export type ExportProgress =
  | { type: 'scan'; done: number; total: number }
  | { type: 'write'; done: number; total: number }
  | { type: 'done'; bytes: number };

/** The export found nothing to write (no eligible samples and no real share asked for). */
export class NothingToExportError extends Error {
  override name = 'NothingToExportError';
  constructor() {
    super('nothing to export: no sample passes the filters and no real seed share is asked for');
  }
}

/** A semantic dedup recorded on exported samples (lineage.dedupCheck), for the dataset card. */
export interface DedupCheckSummary {
  threshold: number;
  model: string;
  againstSeeds: boolean;
  /** Present when pairs were found by the approximate mode, with its planned pair recall. */
  method?: 'approximate';
  recall?: number;
  /** The Dedup step's cheap passes: exact copies, then near-copies at this character 3-gram Jaccard (0: exact only). */
  lexical?: number;
}
