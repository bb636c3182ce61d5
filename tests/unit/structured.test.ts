import { describe, expect, it } from 'vitest';
import { contextFor } from '../../src/lib/engines/local/wllamaEngine';
import { estimateTokens, matchesSchema, schemaToGbnf, splitReasoning } from '../../src/lib/engines/structured';
import { EQUALITY, INSTANCE, VERDICT } from '../../src/lib/pipeline/schemas';

describe('JSON Schema → GBNF', () => {
  it('writes the verdict grammar: properties in order, digits 1–5, a bounded escaped string, bounded whitespace', () => {
    const g = schemaToGbnf(VERDICT.schema);
    const rules = Object.fromEntries(g.trim().split('\n').map((l) => l.split(' ::= ') as [string, string]));
    expect(Object.keys(rules)).toEqual(['root-accuracy', 'root-completeness', 'root-usefulness', 'root-score', 'root-reason', 'root', 'char', 'ws']);
    expect(rules['root-score']).toBe('"1" | "2" | "3" | "4" | "5"');
    expect(rules['root-reason']).toBe('"\\"" char{1,300} "\\""');
    expect(rules.root).toBe(
      '"{" ws "\\"accuracy\\"" ws ":" ws root-accuracy ws "," ws "\\"completeness\\"" ws ":" ws root-completeness ws "," ws "\\"usefulness\\"" ws ":" ws root-usefulness ws "," ws "\\"score\\"" ws ":" ws root-score ws "," ws "\\"reason\\"" ws ":" ws root-reason ws "}"',
    );
    expect(rules.ws).toBe('" "?');
  });

  it('writes string enums and rejects schemas outside the subset', () => {
    expect(schemaToGbnf(EQUALITY.schema)).toContain('root-judgement ::= "\\"Equal\\"" | "\\"Not Equal\\""');
    expect(schemaToGbnf(INSTANCE.schema)).toContain('root-input ::= "\\"" char{0,500} "\\""');
    expect(() => schemaToGbnf({ type: 'integer', minimum: 0, maximum: 1000 })).toThrow(/at most 101/);
    // Keys whose rule names would collide get distinct rules.
    const g = schemaToGbnf({ type: 'object', properties: { a_b: { type: 'integer', minimum: 1, maximum: 2 }, ab: { type: 'boolean' }, 理由: { type: 'string' }, 评分: { type: 'boolean' } }, required: ['a_b', 'ab', '理由', '评分'], additionalProperties: false });
    expect(g).toContain('root-ab ::= "1" | "2"');
    expect(g).toContain('root-ab1 ::= "true" | "false"');
    expect(g).toContain('root-p ::= "\\"" char* "\\""');
    expect(g).toContain('root-p3 ::= "true" | "false"');
    expect(() => schemaToGbnf({ type: 'object', properties: { a: { type: 'boolean' } }, required: [], additionalProperties: false })).toThrow(/required/);
  });

  it('checks values against a schema', () => {
    expect(matchesSchema(JSON.parse('{"accuracy":4,"completeness":4,"usefulness":5,"score":4,"reason":"ok"}'), VERDICT.schema)).toBe(true);
    expect(matchesSchema({ accuracy: 4, completeness: 4, usefulness: 5, score: 6, reason: 'ok' }, VERDICT.schema)).toBe(false);
    expect(matchesSchema({ judgement: 'Maybe' }, EQUALITY.schema)).toBe(false);
  });
});

describe('reasoning models', () => {
  it('splits <think> blocks from the answer, also when the template wrote the opening tag', () => {
    expect(splitReasoning('<think>\nLet me see.\n</think>\n\n{"score": 4}')).toEqual({ answer: '{"score": 4}', reasoning: 'Let me see.' });
    expect(splitReasoning('I should count.</think>The answer is 4.', true)).toEqual({ answer: 'The answer is 4.', reasoning: 'I should count.' });
    // Tags that are the answer's own text stay in it.
    expect(splitReasoning('Use x < y. In HTML write </think> to close it.')).toEqual({ answer: 'Use x < y. In HTML write </think> to close it.', reasoning: '' });
    expect(splitReasoning('The tag <think>…</think> wraps thoughts.').answer).toBe('The tag <think>…</think> wraps thoughts.');
    expect(splitReasoning('<think>cut off by max tokens')).toEqual({ answer: '', reasoning: 'cut off by max tokens' });
    expect(splitReasoning('<think>\n\n</think>\n\nHi')).toEqual({ answer: 'Hi', reasoning: '' });
    expect(splitReasoning('No thinking here, x < y > z.')).toEqual({ answer: 'No thinking here, x < y > z.', reasoning: '' });
  });
});

describe('context budgets', () => {
  it('estimates tokens on the high side for English and Chinese', () => {
    const en = 'The quick brown fox jumps over the lazy dog. '.repeat(20); // ~200 Llama tokens
    expect(estimateTokens([{ role: 'user', content: en }])).toBeGreaterThan(230);
    expect(estimateTokens([{ role: 'user', content: '解释光合作用的基本过程。' }])).toBeGreaterThanOrEqual(24 + 16);
  });

  it('takes the GGUF context length, capped by the user and by memory, at least 2048', () => {
    const tinyllama = { 'general.architecture': 'llama', 'llama.context_length': 2048, 'llama.block_count': 22, 'llama.embedding_length': 2048, 'llama.attention.head_count': 32, 'llama.attention.head_count_kv': 4 };
    expect(contextFor(tinyllama, 667_814_880)).toBe(2048);
    const qwen = { ...tinyllama, 'general.architecture': 'qwen2', 'qwen2.context_length': 32768, 'qwen2.block_count': 28, 'qwen2.embedding_length': 1536, 'qwen2.attention.head_count': 12, 'qwen2.attention.head_count_kv': 2 };
    expect(contextFor(qwen, 1e9)).toBe(8192);
    expect(contextFor(qwen, 1e9, 3000)).toBe(2816);
    expect(contextFor(qwen, 1e9, 1 << 20)).toBe(32768);
    // A 3 GB model leaves ~0.5 GiB for a KV cache of 2 × 64 layers × 1024 × 2 bytes a token: 2048 tokens.
    const big = { 'general.architecture': 'x', 'x.context_length': 131072, 'x.block_count': 64, 'x.embedding_length': 8192, 'x.attention.head_count': 64, 'x.attention.head_count_kv': 8 };
    expect(contextFor(big, 3.0 * 1024 ** 3, 1 << 20)).toBe(2048);
  });
});
