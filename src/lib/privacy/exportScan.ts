/**
 * The export's personal-data pass (issue 17, item 4): every written item is scanned, and with
 * `redact` on its text fields are redacted before they are encoded. Counts per type only — the
 * summary and the dataset card never carry a value.
 */
import type { ExportItem } from '../io/export/types';
import type { PiiType } from './pii';
import { countByType, redactRow, scanRow, type PrivacyLists, type RedactMode, type RowFields } from './scan';

export interface ExportPrivacyOptions extends PrivacyLists {
  /** Redact what is found in the exported file (the stored items keep their text). */
  redact: boolean;
  mode: RedactMode;
}

export interface ExportPrivacySummary {
  /** Items scanned (every written item). */
  items: number;
  /** Items with at least one finding, before redaction. */
  itemsWithFindings: number;
  /** Findings per type, before redaction. */
  found: Partial<Record<PiiType, number>>;
  redacted: boolean;
  mode: RedactMode;
  /** Findings left in the file (all of them when not redacted). */
  remaining: Partial<Record<PiiType, number>>;
  /** Sizes of the user's lists, never their entries. */
  names: number;
  terms: number;
  ignored: number;
}

/**
 * The item's text fields by name; turns as `turn.<i>`; a document-made item's grounding text,
 * document name and heading path as `source.*` (formats write them into `context`, `system` or
 * provenance: they are scanned and redacted like the rest).
 */
function fieldsOf(item: ExportItem): RowFields {
  const f: RowFields = { instruction: item.instruction, input: item.input, output: item.output, system: item.system };
  item.turns?.forEach((t, i) => (f[`turn.${i}`] = t.content));
  // A reasoning trace written as its own field is text in the file like the rest.
  if (item.reasoning) f.reasoning = item.reasoning;
  if (item.source) {
    f['source.text'] = item.source.text;
    f['source.document'] = item.source.document;
    item.source.headingPath.forEach((h, i) => (f[`source.heading.${i}`] = h));
  }
  return f;
}

export class ExportScanner {
  #opts: ExportPrivacyOptions;
  #ignored: Set<string>;
  #items = 0;
  #withFindings = 0;
  #found: PiiType[] = [];
  #remaining: PiiType[] = [];

  constructor(opts: ExportPrivacyOptions) {
    this.#opts = opts;
    this.#ignored = new Set(opts.ignored);
  }

  /** The item as it is written: scanned, and redacted when asked (one numbering per item). */
  item(item: ExportItem): ExportItem {
    this.#items++;
    const fields = fieldsOf(item);
    const findings = scanRow('', fields, this.#opts, this.#ignored);
    if (!findings.length) return item;
    this.#withFindings++;
    for (const f of findings) this.#found.push(f.type);
    if (!this.#opts.redact) {
      for (const f of findings) this.#remaining.push(f.type);
      return item;
    }
    const r = redactRow(fields, findings, this.#opts.mode).fields;
    // What the detectors still see in the redacted text (a mask may leave a number's last digits).
    for (const f of scanRow('', r, this.#opts, this.#ignored)) this.#remaining.push(f.type);
    return {
      ...item,
      instruction: r.instruction!,
      input: r.input!,
      output: r.output!,
      system: r.system!,
      ...(item.turns ? { turns: item.turns.map((t, i) => ({ ...t, content: r[`turn.${i}`]! })) } : {}),
      ...(item.reasoning ? { reasoning: r.reasoning! } : {}),
      ...(item.source ? { source: { ...item.source, text: r['source.text']!, document: r['source.document']!, headingPath: item.source.headingPath.map((h, i) => r[`source.heading.${i}`]!) } } : {}),
    };
  }

  summary(): ExportPrivacySummary {
    const o = this.#opts;
    return {
      items: this.#items,
      itemsWithFindings: this.#withFindings,
      found: countByType(this.#found.map((type) => ({ type }))),
      redacted: o.redact,
      mode: o.mode,
      remaining: countByType(this.#remaining.map((type) => ({ type }))),
      names: o.names.filter((x) => x.trim()).length,
      terms: o.terms.filter((x) => x.trim()).length,
      ignored: o.ignored.length,
    };
  }
}
