import { z } from 'zod';
import { decodeBlob, splitLines } from '../decode';
import type { EndpointConfig } from '../../engines/remote/remoteEngine';
import type { SavedRecipe } from '../../db/recipesRepo';
import type { Project, RunSeeds, RunWithTasks, Sample, Seed, StoredChunk, StoredDocument } from '../../db/types';
import type { PreferencePair } from '../../preference/types';

/**
 * The project backup file: JSON Lines, one row per line, so that it is written and read as a
 * stream and an error can name its line.
 *
 *   line 1      {"format":"seedforge-backup","version":1,"createdAt":…,"project":{…}}
 *   lines 2…    {"table":"recipes"|"endpoints"|"runs"|"runSeeds"|"seeds"|"samples"|"documents"|"chunks"|"pairs","row":{…}}
 *   last line   {"end":true,"counts":{"recipes":n,…}}
 *
 * The closing counts tell a truncated file from a complete one. API keys are never in it: the
 * writer reads no secrets, and endpoint rows are rebuilt field by field from a list that has no key.
 *
 * Versions: `version` is this file layout's version. A reader refuses a newer version than it
 * knows (it cannot tell what it would drop); an older one is read by its own schema and upgraded
 * row by row (`UPGRADES`), so every later Seedforge can restore a version-1 backup.
 *
 *   version 1   recipes, endpoints, runs, runSeeds, seeds, samples
 *   version 2   + documents (extracted text, blocks, outline, page starts; not the original file)
 *               and chunks; the project's label tree in the header. A version-1 file has neither, and its closing counts do not name them.
 *               Optional fields added since, in the same version (a reader that does not know one
 *               drops it, as every Seedforge before them did): a sample's `source` (where a
 *               document-made sample was grounded), a run snapshot's `chunks`, a run's `budget`.
 *   version 3   + pairs (preference pairs with a reviewer's decisions, `decidedAt`), after the
 *               samples they answer. A new line kind, not a field: a version-2 reader would refuse
 *               the line, so it is told to open the file in a newer Seedforge instead. Older files
 *               have no pairs, and their closing counts do not name them. A store that keeps no
 *               pairs (the command line's) writes none.
 *
 * A run line carries the run's committed tasks (`completed`) and Self-Instruct pool (`pool`) as
 * lists, as every version has. Since the app's schema version 9 the stores keep them as one row per
 * task (runTasks), not in the run row: the writer gathers them, a restore splits them again; the
 * file's layout did not change, so older backups restore and older Seedforges read newer ones.
 */
export const BACKUP_FORMAT = 'seedforge-backup';
export const BACKUP_VERSION = 3;

export const BACKUP_TABLES = ['recipes', 'endpoints', 'runs', 'runSeeds', 'seeds', 'samples', 'documents', 'chunks', 'pairs'] as const;
export type BackupTable = (typeof BACKUP_TABLES)[number];
export type BackupCounts = Record<BackupTable, number>;

const id = z.string().min(1);
const time = z.number().finite();
const record = z.record(z.string(), z.unknown());
const int0 = z.number().int().min(0);
const span = z.tuple([int0, int0]);

const LabelTreeRow = z.object({
  nodes: z.array(z.object({ id, title: z.string(), parent: z.string().nullable() })),
  merged: z.record(z.string(), z.string()),
  next: z.number().int().min(1),
});
const ProjectRow = z.object({ id, name: z.string().min(1), createdAt: time, updatedAt: time, card: z.object({ license: z.string(), description: z.string() }).optional(), labels: LabelTreeRow.optional() });
const ChatTurnRow = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
const SeedRow = z.object({
  id,
  projectId: id,
  order: z.number().int().min(0),
  instruction: z.string(),
  input: z.string(),
  output: z.string(),
  system: z.string(),
  turns: z.array(ChatTurnRow).optional(),
  instances: z.array(z.object({ input: z.string(), output: z.string() })).optional(),
  tags: z.array(z.string()),
  hash: z.string(),
  source: z.object({ file: z.string(), line: z.number(), format: z.string() }),
  createdAt: time,
  updatedAt: time,
});
// Where a document-made sample was grounded (documents/types.ts SampleSource), and a run's chunk
// snapshot (ChunkRef): their fields are checked, and any further ones kept as they are.
const SampleSourceRow = z.looseObject({
  documentId: id,
  documentName: z.string(),
  chunkId: z.string(),
  chunkIndex: int0,
  moreChunks: z.array(z.looseObject({ id: z.string(), index: int0 })).optional(),
  pages: span.nullable(),
  headingPath: z.array(z.string()),
  span,
  cited: z.array(span),
});
const ChunkRefRow = z.looseObject({
  id,
  documentId: id,
  documentName: z.string(),
  index: int0,
  text: z.string(),
  headingPath: z.array(z.string()),
  pages: span.nullable(),
  span,
  tokens: z.number().min(0),
});
const SampleRow = z.object({
  id,
  projectId: id,
  runId: z.string(),
  seedId: z.string().nullable(),
  parentId: z.string().nullable(),
  operation: z.string(),
  round: z.number().int().min(0),
  persona: z.string().nullable(),
  instruction: z.string(),
  input: z.string(),
  output: z.string(),
  status: z.enum(['pending', 'accepted', 'rejected']),
  rejectReason: z.string().nullable(),
  score: z.number().finite().nullable(),
  duplicateOf: z.string().nullable(),
  source: SampleSourceRow.optional(),
  turns: z.array(ChatTurnRow).optional(),
  lineage: record,
  createdAt: time,
  updatedAt: time,
});
const RunRow = z.object({
  id,
  projectId: id,
  name: z.string(),
  status: z.enum(['running', 'paused', 'done', 'failed', 'cancelled']),
  recipe: record,
  roles: record,
  models: z.record(z.string(), z.string()),
  seedCount: z.number().int().min(0),
  concurrency: z.number().int().min(1),
  completed: z.array(z.number().int()),
  pool: z.array(z.object({ task: z.number().int(), text: z.string() })),
  counts: record,
  error: z.string().nullable(),
  createdAt: time,
  updatedAt: time,
  // The run's caps and what it spent (pipeline/budget.ts RunBudget); absent: no cap.
  budget: record.optional(),
});
const RunSeedsRow = z.object({
  runId: id,
  seeds: z.array(z.object({ id: z.string(), instruction: z.string(), input: z.string(), output: z.string() })),
  chunks: z.array(ChunkRefRow).optional(),
});
const DocumentRow = z.object({
  id,
  projectId: id,
  name: z.string(),
  type: z.enum(['pdf', 'docx', 'markdown', 'html', 'text', 'epub']),
  bytes: int0,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex (64 characters)'),
  pages: int0.nullable(),
  title: z.string(),
  text: z.string(),
  // Blocks are checked for their common fields; the kind-specific ones (list items, table rows) pass as they are.
  blocks: z.array(z.looseObject({ kind: z.enum(['heading', 'paragraph', 'list', 'table', 'code']), start: int0, end: int0 })),
  outline: z.array(z.object({ title: z.string(), level: z.number().int().min(1), page: z.number().int().optional(), offset: int0.optional() })),
  pageStarts: z.array(int0),
  status: z.enum(['ready', 'partial']),
  error: z.object({ name: z.string(), message: z.string(), pages: z.array(z.number().int()).optional() }).nullable(),
  createdAt: time,
  updatedAt: time,
});
const ChunkRow = z.object({
  id,
  projectId: id,
  documentId: id,
  index: int0,
  text: z.string(),
  headingPath: z.array(z.string()),
  pages: span.nullable(),
  span,
  tokens: z.number().min(0),
  excluded: z.enum(['duplicate', 'boilerplate', 'user']).optional(),
  label: z.string().optional(),
});
// A preference pair (preference/types.ts PreferencePair): the reviewer's decision (`status`,
// `decidedAt`) is what a restore must not lose; a side's reasoning and any later field pass as they are.
const PairSideRow = z.looseObject({ text: z.string(), score: z.number().finite().nullable(), sampleId: z.string().nullable(), reasoning: z.string().optional() });
const PairRow = z.object({
  id,
  projectId: id,
  runId: z.string().nullable(),
  sampleId: id,
  source: z.enum(['bestOfN', 'critique', 'edit', 'judge', 'turn']),
  prompt: z.looseObject({ system: z.string(), instruction: z.string(), input: z.string(), turns: z.array(ChatTurnRow).optional() }),
  chosen: PairSideRow,
  rejected: PairSideRow,
  gap: z.number().finite().nullable(),
  reason: z.string(),
  status: z.enum(['pending', 'accepted', 'rejected']),
  decidedAt: time.optional(),
  createdAt: time,
  updatedAt: time,
});
const RecipeRow = z.object({ id, name: z.string(), recipe: record, createdAt: time, updatedAt: time });
// `strict`: an endpoint row with any other field (a key, say) is refused, not silently kept.
const EndpointRow = z.strictObject({
  id,
  name: z.string(),
  kind: z.enum(['openai', 'anthropic']),
  baseUrl: z.string(),
  model: z.string(),
  policy: z.object({ concurrency: z.number(), timeoutMs: z.number(), maxRetries: z.number(), baseDelayMs: z.number(), maxDelayMs: z.number() }),
  prices: z.object({ input: z.number(), output: z.number() }).nullable().optional(),
});

const ROW_SCHEMAS = { recipes: RecipeRow, endpoints: EndpointRow, runs: RunRow, runSeeds: RunSeedsRow, seeds: SeedRow, samples: SampleRow, documents: DocumentRow, chunks: ChunkRow, pairs: PairRow } satisfies Record<BackupTable, z.ZodType>;

const HeaderLine = z.object({ format: z.literal(BACKUP_FORMAT), version: z.number().int().min(1), createdAt: time, project: ProjectRow });
const RowLine = z.object({ table: z.enum(BACKUP_TABLES), row: z.unknown() });
// A version-1 file has no documents or chunks, a version-2 file no pairs, and their closing lines do not count them.
const EndLine = z.object({
  end: z.literal(true),
  counts: z.object({ recipes: int0, endpoints: int0, runs: int0, runSeeds: int0, seeds: int0, samples: int0, documents: int0.default(0), chunks: int0.default(0), pairs: int0.default(0) } satisfies Record<BackupTable, z.ZodType<number, number | undefined>>),
});

/** A validated backup, ready to restore. */
export interface Backup {
  version: number;
  createdAt: number;
  project: Project;
  recipes: SavedRecipe[];
  endpoints: EndpointConfig[];
  runs: RunWithTasks[];
  runSeeds: RunSeeds[];
  seeds: Seed[];
  samples: Sample[];
  documents: StoredDocument[];
  chunks: StoredChunk[];
  pairs: PreferencePair[];
}

/** One thing wrong in a backup: its 1-based line, the field's path in that line, and what is wrong. */
export interface BackupProblem {
  line: number;
  field: string;
  message: string;
}

/** The file is not a backup this version can read. Nothing was written. */
export class BackupFormatError extends Error {
  override name = 'BackupFormatError';
  constructor(readonly problems: BackupProblem[]) {
    const p = problems[0]!;
    super(`line ${p.line}${p.field ? `, ${p.field}` : ''}: ${p.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''}`);
  }
}

/** The backup comes from a newer Seedforge; this one does not know its layout. */
export class BackupVersionError extends Error {
  override name = 'BackupVersionError';
  constructor(readonly version: number) {
    super(`this backup has format version ${version}; this Seedforge reads versions up to ${BACKUP_VERSION}: open it in a newer Seedforge`);
  }
}

/** The header line. */
export function headerLine(project: Project, createdAt: number): string {
  return JSON.stringify({ format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt, project: pick(ProjectRow, project) }) + '\n';
}

export function rowLine(table: BackupTable, row: unknown): string {
  // Rows are written through their schema's field list: a field that is not in the layout (and
  // in endpoints, anything that might be a key) never reaches the file.
  return JSON.stringify({ table, row: pick(ROW_SCHEMAS[table], row) }) + '\n';
}

export function endLine(counts: BackupCounts): string {
  return JSON.stringify({ end: true, counts }) + '\n';
}

/** The object's fields that the schema declares, in the schema's order (undefined ones dropped). */
function pick(schema: z.ZodObject, row: unknown): Record<string, unknown> {
  const src = row as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(schema.shape)) if (src[k] !== undefined) out[k] = src[k];
  return out;
}

/** Row upgrades from older layout versions, applied after validation against their own schema. None yet. */
const UPGRADES: Record<number, (table: BackupTable, row: unknown) => unknown> = {};

const MAX_PROBLEMS = 20;

function zodProblems(line: number, prefix: string, e: z.ZodError): BackupProblem[] {
  return e.issues.map((i) => ({ line, field: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

/**
 * Reads and validates a whole backup. Every line is checked (JSON, layout, field types); then the
 * file as a whole: it ends with the closing line and its counts, every row belongs to the
 * backup's project, and no id appears twice. Up to 20 problems are collected before giving up.
 * @throws BackupFormatError naming the line and field of each problem; BackupVersionError.
 */
export async function readBackup(lines: AsyncIterable<string>, onLine?: (line: number) => void): Promise<Backup> {
  const problems: BackupProblem[] = [];
  const fail = (p: BackupProblem[]) => {
    problems.push(...p);
    if (problems.length >= MAX_PROBLEMS) throw new BackupFormatError(problems.slice(0, MAX_PROBLEMS));
  };
  let backup: Backup | null = null;
  let end: BackupCounts | null = null;
  const seen: Record<BackupTable, Set<string>> = Object.fromEntries(BACKUP_TABLES.map((t) => [t, new Set<string>()])) as never;
  // The line of each pair, to name it when its sample turns out not to be in the file.
  const pairLines = new Map<string, number>();
  let n = 0;
  // The header is the first line that is not blank (a file may start with an empty line).
  let sawHeader = false;
  for await (const text of lines) {
    n++;
    if (n % 5000 === 0) onLine?.(n);
    if (!text.trim()) continue;
    const first = !sawHeader;
    sawHeader = true;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      fail([{ line: n, field: '', message: `not valid JSON (${(e as Error).message})` }]);
      if (first) break;
      continue;
    }
    if (first) {
      if (!value || typeof value !== 'object' || (value as { format?: unknown }).format !== BACKUP_FORMAT) {
        fail([{ line: n, field: 'format', message: `not a Seedforge backup (the first line must have "format": "${BACKUP_FORMAT}")` }]);
        break;
      }
      const version = (value as { version?: unknown }).version;
      if (typeof version === 'number' && version > BACKUP_VERSION) throw new BackupVersionError(version);
      const h = HeaderLine.safeParse(value);
      if (!h.success) {
        fail(zodProblems(n, '', h.error));
        break;
      }
      backup = { version: h.data.version, createdAt: h.data.createdAt, project: h.data.project, recipes: [], endpoints: [], runs: [], runSeeds: [], seeds: [], samples: [], documents: [], chunks: [], pairs: [] };
      continue;
    }
    if (end) {
      fail([{ line: n, field: '', message: 'text after the closing line' }]);
      continue;
    }
    if (value && typeof value === 'object' && 'end' in value) {
      const e = EndLine.safeParse(value);
      if (e.success) end = e.data.counts;
      else fail(zodProblems(n, '', e.error));
      continue;
    }
    const r = RowLine.safeParse(value);
    if (!r.success) {
      fail(zodProblems(n, '', r.error));
      continue;
    }
    const { table } = r.data;
    const parsed = ROW_SCHEMAS[table].safeParse(r.data.row);
    if (!parsed.success) {
      fail(zodProblems(n, `row(${table})`, parsed.error));
      continue;
    }
    if (!backup) {
      fail([{ line: n, field: '', message: 'a row before the header line' }]);
      continue;
    }
    const up = UPGRADES[backup.version];
    const row = (up ? up(table, parsed.data) : parsed.data) as { id?: string; runId?: string; projectId?: string };
    const key = table === 'runSeeds' ? row.runId! : row.id!;
    if (seen[table].has(key)) fail([{ line: n, field: `row(${table}).${table === 'runSeeds' ? 'runId' : 'id'}`, message: `the id ${key} appears twice` }]);
    seen[table].add(key);
    if ('projectId' in row && row.projectId !== backup!.project.id) {
      fail([{ line: n, field: `row(${table}).projectId`, message: `belongs to project ${row.projectId}, not to the backup's project ${backup!.project.id}` }]);
    }
    if (table === 'pairs') pairLines.set(row.id!, n);
    (backup![table] as unknown[]).push(row);
  }
  if (n === 0) fail([{ line: 1, field: '', message: 'the file is empty' }]);
  else if (backup && !end && !problems.length) fail([{ line: n, field: '', message: 'the closing line is missing: the backup is truncated' }]);
  if (backup) {
    // A chunk must belong to a document of the file: a restore would otherwise store an orphan.
    for (const c of backup.chunks) {
      if (!seen.documents.has(c.documentId)) {
        fail([{ line: n, field: 'row(chunks).documentId', message: `chunk ${c.id} belongs to document ${c.documentId}, which is not in the backup` }]);
        break;
      }
    }
    // A pair must answer a sample of the file: restored alone, it would open on nothing in Review.
    for (const p of backup.pairs) {
      if (!seen.samples.has(p.sampleId)) fail([{ line: pairLines.get(p.id)!, field: 'row(pairs).sampleId', message: `pair ${p.id} answers sample ${p.sampleId}, which is not in the backup` }]);
    }
  }
  if (backup && end) {
    for (const t of BACKUP_TABLES) {
      if (backup[t].length !== end[t]) fail([{ line: n, field: `counts.${t}`, message: `the closing line counts ${end[t]} ${t}, the file holds ${backup[t].length}` }]);
    }
  }
  if (problems.length || !backup) throw new BackupFormatError(problems.length ? problems : [{ line: 1, field: '', message: 'no header line' }]);
  onLine?.(n);
  return backup;
}

/**
 * The lines of a blob, decoded as UTF-8 as it streams (no whole-file string): the importer's
 * decodeBlob + splitLines; `onBytes` gets the bytes read so far.
 */
export async function* blobLines(blob: Blob, onBytes?: (read: number) => void): AsyncGenerator<string> {
  for await (const l of splitLines(decodeBlob(blob, 'utf-8', onBytes))) yield l.text;
}
