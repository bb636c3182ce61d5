import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_MODEL, EMBEDDING_MODELS, findEmbeddingModel } from '../../src/lib/embed/models';
import { chineseShare, decideDedup, isChineseText, recommendedEmbeddingModel, textsLanguage } from '../../src/lib/embed/recommend';

describe('embedding-model catalogue', () => {
  it('gives every model a transformers.js repo, size, licence, languages and its own threshold', () => {
    for (const m of EMBEDDING_MODELS) {
      expect(m.repo, m.id).toBe(`Xenova/${m.id}`);
      expect(m.sizeMB, m.id).toBeGreaterThan(0);
      expect(m.license, m.id).toMatch(/^(MIT|Apache-2\.0)$/);
      expect(m.languages.length, m.id).toBeGreaterThan(0);
      expect(m.threshold, m.id).toBeGreaterThan(0.5);
      expect(m.threshold, m.id).toBeLessThan(1);
      // A calibrated threshold names its set and says what it reached; an uncalibrated one says so.
      if (m.thresholdOrigin.calibrated) {
        expect(m.thresholdOrigin.precision, m.id).toBeGreaterThanOrEqual(0.95);
        expect(m.thresholdOrigin.recall, m.id).toBeGreaterThan(0);
        expect(m.thresholdOrigin.set, m.id).toMatch(/split/);
      } else expect(m.thresholdOrigin.set, m.id).toMatch(/^not calibrated here/);
    }
  });

  it('pools CLS for bge and mean for e5 and MiniLM; e5 embeds a text for similarity as a "query: "', () => {
    for (const m of EMBEDDING_MODELS) expect(m.pooling, m.id).toBe(m.id.startsWith('bge') ? 'cls' : 'mean');
    expect(findEmbeddingModel('multilingual-e5-small')!.prefixes.symmetric).toBe('query: ');
    expect(findEmbeddingModel('bge-large-zh-v1.5')).toMatchObject({ dims: 1024, languages: ['zh'], sizeMB: 327 });
  });

  it('English-only models carry the measured share of false duplicates on Chinese text', () => {
    for (const m of EMBEDDING_MODELS.filter((x) => x.languages.length === 1 && x.languages[0] === 'en')) {
      expect(m.onChinese?.falseShare, m.id).toBeGreaterThan(0.3);
      expect(m.onChinese?.falseShare, m.id).toBeLessThan(1);
    }
  });
});

describe('language of the texts', () => {
  it('calls a text Chinese by its share of Han characters, with English words and code mixed in', () => {
    expect(isChineseText('请用三句话解释光合作用。')).toBe(true);
    expect(isChineseText('用 Python 写一个函数，计算 list 的平均值')).toBe(true);
    expect(isChineseText('Explain photosynthesis in three sentences.')).toBe(false);
    expect(isChineseText('Translate "你好" into English and explain the greeting.')).toBe(false);
    expect(isChineseText('12345 !!!')).toBe(false);
  });

  it('measures the Chinese share over texts with letters only', () => {
    expect(chineseShare([])).toBe(0);
    expect(chineseShare(['你好，世界', 'Hello world', '', '42'])).toBe(0.5);
    expect(textsLanguage(chineseShare(['一', '二', '三', 'four']))).toBe('zh');
    expect(textsLanguage(0.2)).toBe('mixed');
    expect(textsLanguage(0.05)).toBe('en');
  });

  it('recommends the bundled model for English, the small Chinese bge for Chinese, multilingual e5 for a mix', () => {
    expect(recommendedEmbeddingModel('en').id).toBe(DEFAULT_EMBEDDING_MODEL);
    expect(recommendedEmbeddingModel('zh').id).toBe('bge-small-zh-v1.5');
    expect(recommendedEmbeddingModel('mixed').id).toBe('multilingual-e5-small');
  });
});

describe('decideDedup', () => {
  const zh = ['如何在家烤面包？', '怎样在家里做面包？', '写一首关于大海的诗。', '列出三种节约用水的方法。'];
  const en = ['How do I bake bread?', 'Write a poem about the sea.', 'List three ways to save water.'];

  it('runs the bundled model on English text, at its own threshold', () => {
    const d = decideDedup(en);
    expect(d).toMatchObject({ language: 'en', semantic: true, refusal: null, recommendedNeedsDownload: false });
    expect(d.model.id).toBe(DEFAULT_EMBEDDING_MODEL);
    expect(d.threshold).toBe(findEmbeddingModel(DEFAULT_EMBEDDING_MODEL)!.threshold);
  });

  it('refuses an English-only model on Chinese text and offers the Chinese model, to be downloaded', () => {
    for (const model of [undefined, 'bge-small-en-v1.5']) {
      const d = decideDedup(zh, { model });
      expect(d).toMatchObject({ language: 'zh', semantic: false, refusal: 'modelLanguage', recommendedNeedsDownload: true });
      expect(d.recommended.id).toBe('bge-small-zh-v1.5');
    }
    expect(decideDedup(zh, { available: ['bge-small-zh-v1.5'] }).recommendedNeedsDownload).toBe(false);
  });

  it('refuses it on a mix too (a fifth of the texts in Chinese), offering a multilingual model', () => {
    const d = decideDedup([...en, ...en, zh[0]!, zh[1]!]);
    expect(d).toMatchObject({ language: 'mixed', semantic: false, refusal: 'modelLanguage' });
    expect(d.recommended.id).toBe('multilingual-e5-small');
    // A Chinese-only model does not fit a mix either; a multilingual one does.
    expect(decideDedup([...en, ...en, zh[0]!, zh[1]!], { model: 'bge-small-zh-v1.5' }).semantic).toBe(false);
    expect(decideDedup([...en, ...en, zh[0]!, zh[1]!], { model: 'bge-m3' }).semantic).toBe(true);
  });

  it('runs what the user asked for anyway, and a fitting model without a word', () => {
    expect(decideDedup(zh, { override: true })).toMatchObject({ semantic: true, refusal: null });
    const d = decideDedup(zh, { model: 'bge-small-zh-v1.5' });
    expect(d).toMatchObject({ semantic: true, refusal: null });
    expect(d.recommended.id).toBe('bge-small-zh-v1.5');
    expect(decideDedup(en, { model: 'bge-small-zh-v1.5' }).refusal).toBe('modelLanguage');
  });

  it('names the catalogue when the model is unknown', () => {
    expect(() => decideDedup(en, { model: 'nope' })).toThrow(/all-MiniLM-L6-v2/);
  });
});
