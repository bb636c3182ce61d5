import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/args';
import { sideFile } from '../../src/cli/verbs/export';
import { normalise } from '../../src/lib/decontam/decontam';
import { cli, cliFixture, jsonLines } from './support';

/**
 * `seedforge export` hands the data to LLaMA-Factory: dataset_info.json beside the files (an
 * existing one keeps its other entries), and with --split a train and a validation file that share
 * no instruction, the card stating the split.
 */
const fx = cliFixture('handoff', { servers: [{ latencyMs: 1 }], seeds: 30, reference: true });

describe('the trainer handoff in `seedforge export`', () => {
  it('sideFile names each side beside the file asked for', () => {
    expect(sideFile('out/data.jsonl', 'train')).toBe('out/data.train.jsonl');
    expect(sideFile('out.v2/data', 'validation')).toBe('out.v2/data.validation');
  });

  it('--split writes two files with no instruction in both, their dataset_info.json entries and the split in the card', async () => {
    const info = join(fx.dir, 'dataset_info.json');
    writeFileSync(info, JSON.stringify({ alpaca_en_demo: { file_name: 'alpaca_en_demo.json' } }));
    const out = join(fx.dir, 'faq.jsonl');
    const r = await cli(['export', '--store', fx.reference, '--format', 'openai', '--out', out, '--split', '0.3', '--real-percent', '20', '--json']);
    expect(r.code, r.stderr).toBe(EXIT.done);
    const summary = jsonLines(r.stdout).at(-1)!;
    expect(summary).toMatchObject({ files: [sideFile(out, 'train'), sideFile(out, 'validation')], handoff: info, datasets: ['faq_train', 'faq_validation'] });
    const rows = (part: 'train' | 'validation') => readFileSync(sideFile(out, part), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    const users = (part: 'train' | 'validation') => new Set(rows(part).map((x) => normalise(x.messages.find((m) => m.role === 'user')!.content)));
    const train = users('train');
    const val = users('validation');
    expect(val.size).toBeGreaterThan(0);
    expect([...val].filter((k) => train.has(k))).toEqual([]);
    expect(summary.items).toBe(rows('train').length + rows('validation').length);
    expect(JSON.parse(readFileSync(info, 'utf8'))).toEqual({
      alpaca_en_demo: { file_name: 'alpaca_en_demo.json' },
      faq_train: { file_name: 'faq.train.jsonl', formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' } },
      faq_validation: { file_name: 'faq.validation.jsonl', formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' } },
    });
    expect(readFileSync(join(fx.dir, 'README.md'), 'utf8')).toContain(`This file is the **train** side of a train/validation split: ${rows('train').length} train and ${rows('validation').length} validation items (validation share asked: 30 %), seed 1, stratified by operation`);
  });

  it('a dataset_info.json that is not a JSON object stops the export before anything is written', async () => {
    const dir = join(fx.dir, 'bad');
    mkdirSync(dir);
    const r0 = await cli(['export', '--store', fx.reference, '--format', 'alpaca', '--out', join(dir, 'x.json'), '--no-card']);
    expect(r0.code, r0.stderr).toBe(EXIT.done);
    writeFileSync(join(dir, 'dataset_info.json'), '[not json');
    const r = await cli(['export', '--store', fx.reference, '--format', 'alpaca', '--out', join(dir, 'y.json'), '--no-card']);
    expect(r.code).not.toBe(EXIT.done);
    expect(r.stderr).toMatch(/dataset_info\.json exists and is not a JSON object/);
    expect(() => readFileSync(join(dir, 'y.json'))).toThrow();
  });
});
