import { describe, expect, it } from 'vitest';
import type { ExportSummary } from '../../src/lib/io/export/types';
import { datasetCard, privacyLines } from '../../src/lib/io/export/card';
import { ExportScanner } from '../../src/lib/privacy/exportScan';
import { cnIdCheckChar } from '../../src/lib/privacy/checksums';
import { redactAll, redactRow, scanRow, valueKey, type PrivacyLists } from '../../src/lib/privacy/scan';
import { parseList, readPrivacy } from '../../src/lib/privacy/settings';
import { validateRecipe, PRESETS, SMALL_MODEL_TEMPLATES } from '../../src/lib/pipeline/recipe';
import { TEMPLATES } from '../../src/lib/pipeline/templates';
import { detectPii } from '../../src/lib/privacy/pii';

/** The redaction flow on rows: scan, decide, redact (one numbering per row), the export pass and the card. */

const LISTS: PrivacyLists = { names: [], terms: [], ignored: [] };
const ID = '11010519491231002' + cnIdCheckChar('11010519491231002');
const PHONE = '13812345678';

describe('rows', () => {
  it('a value keeps one placeholder across the fields of a row; another value gets the next number', () => {
    const fields = { instruction: `Call ${PHONE} about the visit.`, input: `Backup: 13987654321, main ${PHONE}`, output: 'Done.' };
    const found = scanRow('s1', fields, LISTS);
    expect(found.map((f) => [f.field, f.type, f.value])).toEqual([
      ['instruction', 'phone', PHONE],
      ['input', 'phone', '13987654321'],
      ['input', 'phone', PHONE],
    ]);
    expect(found[0]).toMatchObject({ rowId: 's1', before: 'Call ', after: ' about the visit.' });
    const r = redactRow(fields, found, 'placeholder');
    expect(r.redacted).toBe(3);
    expect(r.fields).toEqual({ instruction: 'Call [PHONE_1] about the visit.', input: 'Backup: [PHONE_2], main [PHONE_1]', output: 'Done.' });
  });

  it('only the accepted findings are redacted; an ignored value is not reported again', () => {
    const fields = { instruction: `Call ${PHONE} or write to a.b@example.com.` };
    const found = scanRow('s', fields, LISTS);
    expect(found.map((f) => f.type)).toEqual(['phone', 'email']);
    const onlyPhone = redactRow(fields, found.filter((f) => f.type === 'phone'), 'placeholder');
    expect(onlyPhone.fields.instruction).toBe('Call [PHONE_1] or write to a.b@example.com.');
    const again = scanRow('s', onlyPhone.fields, { ...LISTS, ignored: [found[1]!.key] });
    expect(again).toEqual([]);
  });

  it('a finding whose text changed since the scan is skipped, not guessed', () => {
    const found = scanRow('s', { instruction: `ID ${ID}` }, LISTS);
    const r = redactRow({ instruction: `New text, ID ${ID}` }, found, 'placeholder');
    expect(r).toEqual({ fields: { instruction: `New text, ID ${ID}` }, redacted: 0 });
  });

  it('the user list of names feeds the detectors; mask keeps the last four digits', () => {
    const r = redactAll({ t: `王小明 called from ${PHONE}` }, { ...LISTS, names: ['王小明', ' '] }, 'mask');
    expect(r.findings.map((f) => f.type)).toEqual(['name', 'phone']);
    expect(r.fields.t).toBe(`*** called from *******5678`);
  });

  it('value keys ignore spacing and case and never hold the value', () => {
    expect(valueKey({ type: 'phone', text: '138 1234 5678' })).toBe(valueKey({ type: 'phone', text: PHONE }));
    expect(valueKey({ type: 'phone', text: PHONE })).not.toContain('1234');
    expect(valueKey({ type: 'email', text: PHONE })).not.toBe(valueKey({ type: 'phone', text: PHONE }));
  });

  it('settings read leniently; lists one per line', () => {
    expect(readPrivacy({ names: ['a', 3], mode: 'weird' })).toEqual({ names: ['a'], terms: [], ignored: [], mode: 'placeholder', allowedRuns: [] });
    expect(parseList(' 张三 \n\nJohn Smith\r\n张三')).toEqual(['张三', 'John Smith']);
  });

  it('recipes: the guard is on by default, old recipes validate, the private-data preset redacts', () => {
    const old = validateRecipe({ version: 1, name: 'x', steps: [{ op: 'respond' }] });
    expect(old.ok && old.recipe.privacy).toEqual({ redactInputs: false, redactOutputs: false, guard: true, mode: 'placeholder' });
    const p = validateRecipe(PRESETS.privateData);
    expect(p.ok && p.recipe.privacy).toMatchObject({ redactInputs: true, redactOutputs: true, guard: true });
  });
});

describe('the guard and the prompts', () => {
  it('no built-in prompt template holds a finding (the guard would hold every call of a clean run)', () => {
    const texts = [...Object.values(TEMPLATES).flatMap((t) => [t.en, t.zh]), ...Object.values(SMALL_MODEL_TEMPLATES ?? {}).flatMap((t) => [t.en ?? '', t.zh ?? ''])];
    expect(texts.length).toBeGreaterThan(40);
    expect(texts.flatMap((t) => detectPii(t).map((f) => `${f.type}: ${f.text}`))).toEqual([]);
  });
});

describe('export pass and card', () => {
  const item = (instruction: string, output: string) => ({ instruction, input: '', output, system: '', provenance: {} as never });

  it('scans every item, redacts with one numbering per item, counts what remains', () => {
    const s = new ExportScanner({ ...LISTS, names: ['Ada Wong'], redact: true, mode: 'placeholder' });
    const a = s.item(item(`Ring ${PHONE}`, `Ada Wong's number is ${PHONE}.`));
    const b = s.item(item('Nothing here.', 'Still nothing.'));
    expect(a.instruction).toBe('Ring [PHONE_1]');
    expect(a.output).toBe("[NAME_1]'s number is [PHONE_1].");
    expect(b.output).toBe('Still nothing.');
    expect(s.summary()).toEqual({ items: 2, itemsWithFindings: 1, found: { name: 1, phone: 2 }, redacted: true, mode: 'placeholder', remaining: {}, names: 1, terms: 0, ignored: 0 });
  });

  it("a document-made item's grounding text, document name and headings are scanned and redacted too (formats write them into the file)", () => {
    const s = new ExportScanner({ ...LISTS, redact: true, mode: 'placeholder' });
    const source = { documentId: 'd', document: `referral ${PHONE}.pdf`, pages: null, headingPath: ['Contacts', `Call ${PHONE}`], chunkId: 'c', text: `The ward's line is ${PHONE}; ID ${ID}.` };
    const out = s.item({ ...item('Which number should a patient call?', `Call ${PHONE}.`), source });
    expect(out.output).toBe('Call [PHONE_1].');
    expect(out.source).toEqual({ ...source, document: 'referral [PHONE_1].pdf', headingPath: ['Contacts', 'Call [PHONE_1]'], text: "The ward's line is [PHONE_1]; ID [CN_ID_1]." });
    expect(JSON.stringify(out)).not.toContain(PHONE);
    expect(s.summary()).toMatchObject({ found: { phone: 4, cnId: 1 }, remaining: {} });
    // Not redacted: every finding in the source counts as remaining.
    const kept = new ExportScanner({ ...LISTS, redact: false, mode: 'placeholder' });
    kept.item({ ...item('Q?', 'A.'), source });
    expect(kept.summary()).toMatchObject({ remaining: { phone: 3, cnId: 1 } });
  });

  it('without redaction the findings remain and are counted as remaining', () => {
    const s = new ExportScanner({ ...LISTS, redact: false, mode: 'placeholder' });
    expect(s.item(item(`ID ${ID}`, 'ok')).instruction).toBe(`ID ${ID}`);
    expect(s.summary()).toMatchObject({ found: { cnId: 1 }, remaining: { cnId: 1 }, redacted: false });
  });

  it('the card says the export was scanned, how, what was found and what remains — never a value', () => {
    const s = new ExportScanner({ ...LISTS, names: ['Ada Wong', 'Li Lei'], redact: true, mode: 'placeholder' });
    s.item(item(`Ring ${PHONE}`, 'Ada Wong'));
    const summary = { format: 'alpaca-jsonl', options: { format: 'alpaca-jsonl', provenance: true, acceptedOnly: true, minScore: null, skipDuplicates: true, realPercent: 0, selectionSeed: 1 }, plan: { synthetic: 1, seedsAvailable: 0, realWanted: 0, real: 0, share: 0, short: false }, languages: { en: 1, zh: 0 }, operations: {}, runIds: [], models: [], leftOut: {}, privacy: s.summary(), bytes: 10 } satisfies ExportSummary;
    const card = datasetCard({ projectName: 'P', summary, runs: [], dataFile: 'data.jsonl', createdAt: 0 });
    expect(card).toContain('## Personal data');
    expect(card).toContain('- Scanned: all 1 written items');
    expect(card).toContain('user lists: 2 names, 0 terms');
    expect(card).toContain('- Found before export: name 1, phone 1 in 1 items.');
    expect(card).toContain('typed placeholders such as `[PHONE_1]`');
    expect(card).toContain('- Remaining in this file: none.');
    expect(card).not.toContain(PHONE);
    expect(card).not.toContain('Ada Wong');
    expect(privacyLines({ ...summary, privacy: undefined })).toContain('This export was not scanned for personal data (PII/PHI).');
  });
});
