import { describe, expect, it } from 'vitest';
import { escapeHtml, markdownToUnsanitizedHtml, renderMarkdown, safeHref, sanitizeHtml } from '../../src/lib/text/markdown';

// The sanitiser (DOMPurify) needs a DOM: its tests are in tests/browser/markdown.browser.test.ts.
// Here: the URL rule and the markdown layer, which must already be safe on its own.

describe('safeHref', () => {
  it('keeps absolute http(s) and mailto URLs, normalised', () => {
    expect(safeHref('https://example.org')).toBe('https://example.org/');
    expect(safeHref('  http://example.org/a?b=1#c ')).toBe('http://example.org/a?b=1#c');
    expect(safeHref('mailto:someone@example.org')).toBe('mailto:someone@example.org');
    expect(safeHref('HTTPS://EXAMPLE.ORG/X')).toBe('https://example.org/X');
  });

  it.each([
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'java\nscript:alert(1)', '\u0001javascript:alert(1)',
    'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>', 'data:image/svg+xml;base64,PHN2Zz4=', 'file:///etc/passwd', 'blob:https://x/1',
    'ftp://example.org', '//evil.example/x', '/relative', '#/settings', 'relative/path', '&#106;avascript:alert(1)', '',
    'https://bank.example@evil.example/', 'https://user:pw@example.org/', 'https://exa\u202emple.org', 'https://example\u200b.org',
  ])('refuses %j', (href) => {
    expect(safeHref(href)).toBeNull();
  });
});

describe('the markdown layer', () => {
  it('shows raw HTML as text', () => {
    expect(markdownToUnsanitizedHtml('a <img src=x onerror=alert(1)> b')).toBe('<p>a &lt;img src=x onerror=alert(1)&gt; b</p>\n');
    expect(markdownToUnsanitizedHtml('<div onclick="x()">\n*hi*\n</div>')).not.toMatch(/<div/);
    expect(markdownToUnsanitizedHtml('<svg><script>alert(1)</script></svg>')).not.toMatch(/<(svg|script)/);
  });

  it('never emits an image, only its description', () => {
    const html = markdownToUnsanitizedHtml('![a <b> chart](https://tracker.example/pixel.png)');
    expect(html).toBe('<p><span class="md-image">a &lt;b&gt; chart</span></p>\n');
  });

  it('links only to http(s)/mailto, in every markdown link form', () => {
    for (const md of ['[x](javascript:alert(1))', '[x](JaVaScRiPt:alert(1))', '[x](<javascript:alert(1)>)', '[x](&#106;avascript:alert(1))', '<javascript:alert(1)>', '[x][r]\n\n[r]: javascript:alert(1)', '[x](data:text/html;base64,PHNjcmlwdD4=)', '[x](vbscript:x)']) {
      expect(markdownToUnsanitizedHtml(md), md).not.toMatch(/<a\b|href/);
    }
    expect(markdownToUnsanitizedHtml('[docs](https://example.org/a "t") and <https://b.example>')).toBe('<p><a href="https://example.org/a">docs</a> and <a href="https://b.example/">https://b.example</a></p>\n');
  });

  it('with links off (air-gapped), shows a link as its text and destination, nothing to click', () => {
    expect(markdownToUnsanitizedHtml('[docs](https://example.org/a?q=secret) <https://b.example> [x](javascript:y)', { links: false })).toBe('<p>docs (https://example.org/a?q=secret) https://b.example/ x</p>\n');
    // The option lasts for that render only.
    expect(markdownToUnsanitizedHtml('[docs](https://example.org/)')).toBe('<p><a href="https://example.org/">docs</a></p>\n');
  });

  it('renders task lists without <input>', () => {
    expect(markdownToUnsanitizedHtml('- [x] done\n- [ ] todo')).not.toMatch(/<input/);
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('without a DOM', () => {
  it('refuses to render rather than return unsanitised HTML', () => {
    expect(() => renderMarkdown('<script>alert(1)</script>')).toThrow(expect.objectContaining({ name: 'SanitizerUnavailableError' }));
    expect(() => sanitizeHtml('<b>x</b>')).toThrow(expect.objectContaining({ name: 'SanitizerUnavailableError' }));
  });
});
