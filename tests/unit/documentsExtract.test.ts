import { describe, expect, it } from 'vitest';
import { joinSpacingAccents, markdownBlocks, normaliseText, splitCells } from '../../src/lib/documents/extract/blocks';
import { decodeText, detectFormat } from '../../src/lib/documents/extract/detect';
import { DocumentError, isDocumentError, noTextLayer, pageRanges } from '../../src/lib/documents/extract/errors';
import { extractMarkdown } from '../../src/lib/documents/extract/markdown';
import { extractText } from '../../src/lib/documents/extract/text';
import type { DocBlock } from '../../src/lib/documents/types';

const spans = (text: string, blocks: DocBlock[]) => blocks.map((b) => `${b.kind}:${text.slice(b.start, b.end)}`);
const bytes = (s: string) => new TextEncoder().encode(s);

describe('Markdown blocks', () => {
  it('finds headings, paragraphs, lists, tables and code, each span its own source', () => {
    const text = '# Title\n\nSome prose\nover two lines.\n\n- one\n- two\n  more of two\n\n| h1 | h2 |\n| --- | :-: |\n| a | b \\| c |\n\n~~~python\nx = 1\n\n# not a heading\n~~~\n\n### Deep ###';
    const blocks = markdownBlocks(text);
    expect(spans(text, blocks)).toEqual([
      'heading:# Title',
      'paragraph:Some prose\nover two lines.',
      'list:- one\n- two\n  more of two',
      'table:| h1 | h2 |\n| --- | :-: |\n| a | b \\| c |',
      'code:~~~python\nx = 1\n\n# not a heading\n~~~',
      'heading:### Deep ###',
    ]);
    expect(blocks[0]).toMatchObject({ kind: 'heading', level: 1, title: 'Title' });
    expect(blocks[5]).toMatchObject({ kind: 'heading', level: 3, title: 'Deep' });
    const list = blocks[2]!;
    expect(list.kind === 'list' && list.items.map((s) => text.slice(s.start, s.end))).toEqual(['- one', '- two\n  more of two']);
    const table = blocks[3]!;
    expect(table.kind === 'table' && table.rows.map((r) => [r.cells, !!r.header])).toEqual([[['h1', 'h2'], true], [['a', 'b \\| c'], false]]);
    expect(blocks[4]).toMatchObject({ kind: 'code', lang: 'python' });
  });

  it('keeps a list together across blank lines between its items, and ends it at a new paragraph', () => {
    const text = '1. first\n\n2. second\n\n   still second\n\nAfter the list.';
    const blocks = markdownBlocks(text);
    expect(spans(text, blocks)).toEqual(['list:1. first\n\n2. second\n\n   still second', 'paragraph:After the list.']);
    expect(blocks[0]).toMatchObject({ kind: 'list', ordered: true });
  });

  it('starts a new block where a paragraph runs into a heading or a table; Chinese punctuation kept', () => {
    const text = '第一段。第二句！\n## 第二节\n| 列 |\n段落';
    expect(spans(text, markdownBlocks(text))).toEqual(['paragraph:第一段。第二句！', 'heading:## 第二节', 'table:| 列 |', 'paragraph:段落']);
  });

  it('an unclosed fence runs to the end; "#hashtag" is prose, not a heading', () => {
    expect(spans('```\ncode', markdownBlocks('```\ncode'))).toEqual(['code:```\ncode']);
    expect(spans('#hashtag here', markdownBlocks('#hashtag here'))).toEqual(['paragraph:#hashtag here']);
  });

  it('splits table cells on unescaped pipes', () => {
    expect(splitCells('| a | b\\|c |  |')).toEqual(['a', 'b\\|c', '']);
  });
});

describe('Markdown and text documents', () => {
  it('normalises line ends, a BOM and trailing blanks; drops YAML front matter', () => {
    expect(normaliseText('\uFEFFa  \r\nb\r\n\r\n')).toBe('a\nb');
    const doc = extractMarkdown('---\ntitle: t\n---\n# 标题\r\n\r\n正文。', 'x.md');
    expect(doc.text).toBe('# 标题\n\n正文。');
    expect(doc.title).toBe('标题');
  });

  it('takes the file name as title when there is no heading', () => {
    expect(extractMarkdown('just words', 'notes.v2.md').title).toBe('notes.v2');
  });

  it('plain text: a paragraph per run of lines', () => {
    const doc = extractText('a\nb\n\n\nc', 'f.txt');
    expect(spans(doc.text, doc.blocks)).toEqual(['paragraph:a\nb', 'paragraph:c']);
  });

  it('empty text is an EmptyDocumentError naming the file', () => {
    const e = (() => {
      try {
        extractText(' \n\t', 'blank.txt');
      } catch (err) {
        return err;
      }
    })();
    expect(isDocumentError(e, 'EmptyDocumentError')).toBe(true);
    expect((e as Error).message).toContain('blank.txt');
  });
});

describe('format detection and decoding', () => {
  it('trusts the bytes before the name', () => {
    expect(detectFormat(bytes('%PDF-1.4 ...'), 'report.txt')).toBe('pdf');
    expect(detectFormat(bytes('\n\n%PDF-1.7'), 'x')).toBe('pdf');
    expect(detectFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1]), 'archive.bin')).toBe('docx');
    expect(detectFormat(bytes('hello'), 'a.pdf')).toBe('pdf');
    expect(detectFormat(bytes('# x'), 'a.MD')).toBe('markdown');
    expect(detectFormat(bytes('<p>x</p>'), 'a.htm')).toBe('html');
    expect(detectFormat(bytes('<!DOCTYPE html><p>x'), 'page')).toBe('html');
    expect(detectFormat(bytes('plain'), 'a.txt')).toBe('text');
    expect(detectFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]), 'a.png')).toBeNull();
  });

  it('decodes UTF-8, GB 18030 and UTF-16 with a BOM', () => {
    expect(decodeText(bytes('中文 ok'))).toBe('中文 ok');
    expect(decodeText(new Uint8Array([0xd6, 0xd0, 0xce, 0xc4]))).toBe('中文');
    expect(decodeText(new Uint8Array([0xff, 0xfe, 0x2d, 0x4e]))).toBe('中');
  });
});

describe('document errors', () => {
  it('list the pages without text as short ranges', () => {
    expect(pageRanges([1, 2, 3, 7, 9, 10])).toBe('1–3, 7, 9–10');
    const e = noTextLayer('scan.pdf', [1, 2, 3, 5]);
    expect(e).toBeInstanceOf(DocumentError);
    expect(e.name).toBe('NoTextLayerError');
    expect(e.pages).toEqual([1, 2, 3, 5]);
    expect(e.message).toBe('scan.pdf: no text to read — OCR this file first (no text on pages 1–3, 5)');
  });
});

describe('accents drawn as glyphs of their own (TeX PDFs)', () => {
  it('joins them with their letter, and leaves other text alone', () => {
    expect(joinSpacingAccents('Niels M¨oller')).toBe('Niels Möller');
    expect(joinSpacingAccents('caf´e, ´Ecole, Dvoˇr´ak, garc¸on')).toBe('café, École, Dvořák, garçon');
    expect(joinSpacingAccents('Möller wrote it in 2001; 中文不变。')).toBe('Möller wrote it in 2001; 中文不变。');
    expect(joinSpacingAccents('a ¨ alone')).toBe('a ¨ alone');
  });
});
