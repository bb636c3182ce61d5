import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_MODEL, EMBEDDING_MODELS, cacheModelKey, findEmbeddingModel } from '../../src/lib/embed/models';
import { batches, byLength, prepareTexts } from '../../src/lib/embed/prepare';
import { hash64, normalizeText } from '../../src/lib/text/normalize';

describe('embedding model registry', () => {
  it('has the seven models, with their pooling and prefixes', () => {
    expect(EMBEDDING_MODELS.map((m) => m.id).sort()).toEqual(['all-MiniLM-L6-v2', 'bge-base-zh-v1.5', 'bge-large-zh-v1.5', 'bge-m3', 'bge-small-en-v1.5', 'bge-small-zh-v1.5', 'multilingual-e5-small']);
    expect(findEmbeddingModel('bge-small-zh-v1.5')).toMatchObject({ pooling: 'cls', dims: 512 });
    expect(findEmbeddingModel('bge-m3')).toMatchObject({ pooling: 'cls', dims: 1024 });
    expect(findEmbeddingModel('multilingual-e5-small')).toMatchObject({ pooling: 'mean', prefixes: { symmetric: 'query: ', passage: 'passage: ' } });
    expect(findEmbeddingModel(DEFAULT_EMBEDDING_MODEL)).toMatchObject({ pooling: 'mean', bundled: true });
    expect(EMBEDDING_MODELS.filter((m) => m.bundled).map((m) => m.id)).toEqual([DEFAULT_EMBEDDING_MODEL]);
    expect(findEmbeddingModel('bge-small-en-v1.5')!.prefixes.query).toMatch(/^Represent this sentence/);
  });

  it('cache keys separate models and prefixes, not roles that embed the same input', () => {
    const e5 = findEmbeddingModel('multilingual-e5-small')!;
    const bge = findEmbeddingModel('bge-small-en-v1.5')!;
    expect(cacheModelKey(e5, 'symmetric')).not.toBe(cacheModelKey(e5, 'passage'));
    expect(cacheModelKey(bge, 'symmetric')).toBe(cacheModelKey(bge, 'passage'));
    expect(cacheModelKey(bge, 'query')).not.toBe(cacheModelKey(bge, 'passage'));
  });
});

describe('prepareTexts', () => {
  it('embeds each normalised text once, prefixed, keyed by hash64(normalizeText)', () => {
    const e5 = findEmbeddingModel('multilingual-e5-small')!;
    const p = prepareTexts(['Hello  World', 'hello world', 'Ｈｅｌｌｏ world', 'other'], e5, 'symmetric');
    expect(Array.from(p.slot)).toEqual([0, 0, 0, 1]);
    expect(p.inputs).toEqual(['query: hello world', 'query: other']);
    expect(p.hashes).toEqual([hash64(normalizeText('hello world')), hash64('other')]);
  });

  it('batches cover every index once, in order', () => {
    expect(batches(5, 2)).toEqual([[0, 2], [2, 4], [4, 5]]);
    expect(batches(0, 8)).toEqual([]);
  });
});

describe('byLength', () => {
  it('orders indices by input length, stably, without touching the inputs', () => {
    const inputs = ['ccc', 'a', 'bb', 'dd', '', 'eeee'];
    expect(byLength([0, 1, 2, 3, 4, 5], inputs)).toEqual([4, 1, 2, 3, 0, 5]);
    // A subset (the texts missing from the cache) keeps only its own indices.
    const missing = [5, 3, 0, 2];
    expect(byLength(missing, inputs)).toEqual([2, 3, 0, 5]);
    expect(missing).toEqual([5, 3, 0, 2]);
    expect(inputs).toEqual(['ccc', 'a', 'bb', 'dd', '', 'eeee']);
  });
});
