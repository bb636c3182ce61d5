import { describe, expect, it } from 'vitest';
import { applyMapping, detectMapping, suggestMapping, type FieldMapping } from '../../src/lib/io/shapes';
import { seedHash } from '../../src/lib/text/normalize';

const src = { file: 'f', line: 1, format: 'jsonl' };
const map = (record: Record<string, unknown>, m?: FieldMapping) => applyMapping(record, m ?? detectMapping([record]), src);

describe('shape recognition and mapping', () => {
  it('recognises each shape from its field names', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ instruction: 'i', input: '', output: 'o' }, 'alpaca'],
      [{ prompt: 'p', response: 'r' }, 'promptResponse'],
      [{ prompt: 'p', completion: 'r' }, 'promptResponse'],
      [{ question: 'q', answer: 'a' }, 'qa'],
      [{ messages: [{ role: 'user', content: 'hi' }] }, 'openai'],
      [{ conversations: [{ from: 'human', value: 'hi' }] }, 'sharegpt'],
      [{ instruction: 'i', instances: [{ input: '', output: 'o' }] }, 'selfInstruct'],
      [{ text: 'just text' }, 'text'],
      [{ titel: 'x', body: 'y' }, 'custom'],
    ];
    for (const [record, shape] of cases) expect(detectMapping([record]).shape, JSON.stringify(record)).toBe(shape);
  });

  it('maps Alpaca, prompt/response and question/answer fields', () => {
    expect(map({ instruction: ' Add ', input: '2, 3', output: '5' })).toMatchObject({ ok: true, draft: { instruction: 'Add', input: '2, 3', output: '5' } });
    expect(map({ prompt: 'P', response: 'R', system: 'S' })).toMatchObject({ ok: true, draft: { instruction: 'P', output: 'R', system: 'S' } });
    expect(map({ question: 'Q', answer: 'A' })).toMatchObject({ ok: true, draft: { instruction: 'Q', output: 'A' } });
  });

  it('maps OpenAI messages (string or text-part content) and keeps multi-turn conversations', () => {
    const r = map({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi ' }, { type: 'text', text: 'there' }] },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'More?' },
        { role: 'assistant', content: 'No.' },
      ],
    });
    expect(r.ok && r.draft).toMatchObject({ instruction: 'Hi there', output: 'Hello.', system: 'Be brief.' });
    expect(r.ok && r.draft.turns).toHaveLength(5);
    const single = map({ messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: 'A' }] });
    expect(single.ok && single.draft.turns).toBeUndefined();
  });

  it('maps ShareGPT conversations', () => {
    const r = map({ conversations: [{ from: 'human', value: '你好' }, { from: 'gpt', value: '你好！' }] });
    expect(r.ok && r.draft).toMatchObject({ instruction: '你好', output: '你好！' });
  });

  it('maps Self-Instruct tasks, first instance in input/output and all kept when several', () => {
    const r = map({ instruction: 'Sort', instances: [{ input: '3 1', output: '1 3' }, { input: 'b a', output: 'a b' }] });
    expect(r.ok && r.draft).toMatchObject({ instruction: 'Sort', input: '3 1', output: '1 3' });
    expect(r.ok && r.draft.instances).toHaveLength(2);
  });

  it('says why a record cannot be a seed', () => {
    expect(map({ instruction: '  ', output: 'x' })).toEqual({ ok: false, code: 'noInstruction', detail: 'instruction' });
    expect(map({ messages: 'nope' }, suggestMapping('openai', ['messages']))).toMatchObject({ ok: false, code: 'badConversation' });
    expect(map({ messages: [{ role: 'assistant', content: 'only me' }] })).toMatchObject({ ok: false, code: 'badConversation' });
    expect(map({ instruction: 'x', instances: 'no' }, suggestMapping('selfInstruct', ['instruction', 'instances']))).toMatchObject({ ok: false, code: 'badInstances' });
  });

  it('lets the user map other fields, and reads tags from a list or a comma-separated string', () => {
    const m = suggestMapping('custom', ['titel', 'body', 'tags']);
    m.instruction = 'body';
    expect(map({ titel: 't', body: 'B', tags: 'law, 医疗，law' }, m)).toMatchObject({ ok: true, draft: { instruction: 'B', tags: ['law', '医疗'] } });
    expect(map({ instruction: 'x', tags: ['a', 'b'] })).toMatchObject({ ok: true, draft: { tags: ['a', 'b'] } });
  });

  it('hashes normalised text, so case, width and spacing do not hide a duplicate', () => {
    const a = seedHash({ instruction: 'Hello  World', input: '', output: 'ＯＫ' });
    expect(seedHash({ instruction: ' hello world ', input: '', output: 'ok' })).toBe(a);
    expect(seedHash({ instruction: 'hello world!', input: '', output: 'ok' })).not.toBe(a);
    expect(seedHash({ instruction: 'hello', input: 'world', output: 'ok' })).not.toBe(seedHash({ instruction: 'hello world', input: '', output: 'ok' }));
  });
});
