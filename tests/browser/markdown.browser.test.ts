import { mount, unmount, flushSync } from 'svelte';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKDOWN_MAX_CHARS, renderMarkdown, safeHref, sanitizeHtml } from '../../src/lib/text/markdown';
import Markdown from '../../src/ui/common/Markdown.svelte';
import { MARKER_HOST, PAYLOADS, payloadTag } from '../support/xssPayloads';

// The sanitiser in real Chromium: every payload through both layers, inserted into the live
// document, where anything executable would run and anything fetching would fetch.

type XssWindow = Window & { __xss?: (id: number) => void };
const calls: string[] = [];
const requests: string[] = [];
let observer: PerformanceObserver;
let realAlert: typeof window.alert;

beforeAll(() => {
  const record = (how: string) => (id: unknown) => void calls.push(`${how}(${String(id)})`);
  (window as XssWindow).__xss = record('__xss');
  try {
    (window.parent as XssWindow).__xss = record('parent.__xss');
  } catch {
    // a cross-origin parent cannot be reached by a payload either
  }
  realAlert = window.alert;
  window.alert = record('alert');
  observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name.includes(MARKER_HOST)) requests.push(e.name);
  });
  observer.observe({ type: 'resource', buffered: true });
});
afterAll(() => {
  observer.disconnect();
  window.alert = realAlert;
});

const TAGS = new Set(['P', 'BR', 'HR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'STRONG', 'EM', 'DEL', 'S', 'CODE', 'PRE', 'BLOCKQUOTE', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'A', 'SPAN']);
const ATTRS = new Set(['href', 'align', 'start', 'class', 'title', 'rel', 'target']);

/** Everything in `root` is on the allow-list, and every link is a checked http(s)/mailto one. */
function problems(root: Element): string[] {
  const found: string[] = [];
  for (const el of root.querySelectorAll('*')) {
    if (!TAGS.has(el.tagName)) found.push(`<${el.tagName.toLowerCase()}>`);
    for (const a of el.attributes) {
      if (!ATTRS.has(a.name)) found.push(`${el.tagName.toLowerCase()}[${a.name}]`);
      if (a.name === 'class' && !(el.tagName === 'SPAN' && a.value === 'md-image')) found.push(`class=${a.value}`);
    }
    if (el.hasAttribute('href')) {
      const href = el.getAttribute('href')!;
      if (safeHref(href) !== href || !/^(https?|mailto):/.test(href)) found.push(`href=${href}`);
      if (el.getAttribute('rel') !== 'noopener noreferrer' || el.getAttribute('target') !== '_blank') found.push(`link without rel/target: ${href}`);
    } else if (el.tagName === 'A' && (el.hasAttribute('target') || el.hasAttribute('rel'))) {
      found.push('a without href keeps target/rel');
    }
  }
  return found;
}

/** Lets anything inserted fire its events: load/error of media, focus, animations, timers. */
const settle = () => new Promise((r) => setTimeout(r, 400));

function poke(root: Element) {
  for (const el of root.querySelectorAll('*')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'click', 'animationstart', 'toggle']) {
      // A click on a real link would open a tab: only synthetic events that do not navigate.
      if (type === 'click' && el.closest('a[href]')) continue;
      el.dispatchEvent(new Event(type, { bubbles: true }));
    }
  }
}

describe('renderMarkdown with hostile input', () => {
  it(`renders ${PAYLOADS.length} payloads with nothing executable, no request, and raw HTML shown as text`, async () => {
    const host = document.body.appendChild(document.createElement('div'));
    const bad: string[] = [];
    for (const p of PAYLOADS) {
      const box = host.appendChild(document.createElement('div'));
      box.innerHTML = renderMarkdown(p.text);
      for (const x of problems(box)) bad.push(`#${p.id} ${p.kind}: ${x}`);
      // A payload that is HTML (not a markdown link or image) is visible as its own text.
      const firstTag = /<[a-z!][\w-]*/i.exec(p.text)?.[0];
      if (['script', 'handler', 'svg', 'frame', 'url', 'mxss', 'css'].includes(p.kind) && firstTag && !box.textContent!.includes(firstTag)) bad.push(`#${p.id}: ${firstTag} not shown as text`);
    }
    poke(host);
    await settle();
    expect(bad).toEqual([]);
    expect(calls).toEqual([]);
    expect(requests).toEqual([]);
    host.remove();
  });

  it('keeps the text of a script-bearing payload readable', () => {
    const box = document.createElement('div');
    box.innerHTML = renderMarkdown('Do not run <script>__xss(0)</script> please');
    expect(box.textContent!.trim()).toBe('Do not run <script>__xss(0)</script> please');
  });
});

describe('sanitizeHtml (the DOMPurify layer on its own) with hostile HTML', () => {
  it(`sanitises ${PAYLOADS.length} payloads as raw HTML to the allow-list`, async () => {
    const host = document.body.appendChild(document.createElement('div'));
    const bad: string[] = [];
    for (const p of PAYLOADS) {
      const box = host.appendChild(document.createElement('div'));
      box.innerHTML = sanitizeHtml(p.text);
      for (const x of problems(box)) bad.push(`#${p.id} ${p.kind}: ${x}`);
      // Nothing that could carry a call survives as markup: the call may only remain as text.
      for (const el of box.querySelectorAll('*')) for (const a of el.attributes) if (a.value.includes(payloadTag(p))) bad.push(`#${p.id}: ${el.tagName}[${a.name}] keeps the call`);
    }
    poke(host);
    await settle();
    expect(bad).toEqual([]);
    expect(calls).toEqual([]);
    expect(requests).toEqual([]);
    host.remove();
  });

  it('removes id and name (DOM clobbering), data- and aria- attributes, style, and foreign classes', () => {
    const out = sanitizeHtml('<a id="x" name="location" href="https://example.org/" data-x="1" aria-label="y" style="color:red" class="app">a</a><p class="drop-overlay">p</p><span class="md-image">alt</span>');
    expect(out).toBe('<a href="https://example.org/" title="https://example.org/" rel="noopener noreferrer" target="_blank">a</a><p>p</p><span class="md-image">alt</span>');
  });

  it('unwraps a link whose href is not allowed, keeping its text', () => {
    expect(sanitizeHtml('<a href="javascript:x()" target="_self">t</a>')).toBe('<a>t</a>');
    expect(sanitizeHtml('<a href="/relative">t</a>')).toBe('<a>t</a>');
  });
});

describe('safe markdown still renders', () => {
  const render = (md: string) => renderMarkdown(md).trim();

  it('headings, emphasis, code, lists, quotes, rules', () => {
    expect(render('# Title\n\n## Sub')).toBe('<h1>Title</h1>\n<h2>Sub</h2>');
    expect(render('**bold**, *em*, ~~gone~~ and `x < y`')).toBe('<p><strong>bold</strong>, <em>em</em>, <del>gone</del> and <code>x &lt; y</code></p>');
    expect(render('- one\n- two\n\n3. three\n4. four')).toBe('<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>');
    expect(render('> quoted\n\n---')).toBe('<blockquote>\n<p>quoted</p>\n</blockquote>\n<hr>');
    expect(render('line one\nline two')).toBe('<p>line one<br>line two</p>');
  });

  it('code blocks keep their text, HTML included, without the language class', () => {
    expect(render('```html\n<script>x()</script>\n```')).toBe('<pre><code>&lt;script&gt;x()&lt;/script&gt;\n</code></pre>');
  });

  it('tables with alignment', () => {
    expect(render('| a | b |\n|:--|--:|\n| 1 | 2 |')).toBe('<table>\n<thead>\n<tr>\n<th align="left">a</th>\n<th align="right">b</th>\n</tr>\n</thead>\n<tbody><tr>\n<td align="left">1</td>\n<td align="right">2</td>\n</tr>\n</tbody></table>');
  });

  it('http(s) and mailto links open in a new tab without opener or referrer, their destination as the title', () => {
    expect(render('[docs](https://example.org/a) <mailto:a@example.org> www.example.com')).toBe(
      '<p><a href="https://example.org/a" title="https://example.org/a" rel="noopener noreferrer" target="_blank">docs</a> ' +
        '<a href="mailto:a@example.org" title="mailto:a@example.org" rel="noopener noreferrer" target="_blank">mailto:a@example.org</a> ' +
        '<a href="http://www.example.com/" title="http://www.example.com/" rel="noopener noreferrer" target="_blank">www.example.com</a></p>',
    );
  });

  it('with links off (air-gapped), nothing in the output can be followed', () => {
    const out = renderMarkdown('[docs](https://example.org/a) and <https://b.example>', { links: false });
    expect(out.trim()).toBe('<p>docs (https://example.org/a) and https://b.example/</p>');
    expect(renderMarkdown('[docs](https://example.org/a)').trim()).toContain('<a href="https://example.org/a"');
  });

  it('images become their description and are never requested', async () => {
    expect(render(`![a chart of doses](http://${MARKER_HOST}/img.png)`)).toBe('<p><span class="md-image">a chart of doses</span></p>');
  });

  it('task lists become characters, not inputs', () => {
    expect(render('- [x] done\n- [ ] todo')).toBe('<ul>\n<li>☑ done</li>\n<li>☐ todo</li>\n</ul>');
  });
});

describe('the Markdown component', () => {
  it('mounts every payload with nothing executed', async () => {
    const target = document.body.appendChild(document.createElement('div'));
    const apps = PAYLOADS.map((p) => mount(Markdown, { target, props: { text: p.text } }));
    flushSync();
    const shown = [...target.querySelectorAll('.markdown')];
    expect(shown).toHaveLength(PAYLOADS.length);
    expect(shown.flatMap(problems)).toEqual([]);
    poke(target);
    await settle();
    expect(calls).toEqual([]);
    expect(requests).toEqual([]);
    for (const a of apps) void unmount(a);
    target.remove();
  });

  it('shows text too long to parse quickly as plain text', () => {
    const target = document.body.appendChild(document.createElement('div'));
    const text = `**not bold** ${'x'.repeat(MARKDOWN_MAX_CHARS)}`;
    const app = mount(Markdown, { target, props: { text, testid: 'md' } });
    flushSync();
    const el = target.querySelector('[data-testid="md"]')!;
    expect(el.tagName).toBe('P');
    expect(el.textContent).toBe(text);
    void unmount(app);
    target.remove();
  });
});

describe('the harness itself', () => {
  // Runs last: proves that an unsanitised payload would have been seen by the checks above.
  it('notices a payload that runs and an image that is requested', async () => {
    const box = document.body.appendChild(document.createElement('div'));
    box.innerHTML = `<img src="x" onerror="__xss(-1)"><img src="http://${MARKER_HOST}/control.png">`;
    await settle();
    expect(calls).toEqual(['__xss(-1)']);
    expect(problems(box)).toContain('<img>');
    // Resource Timing records the attempt even though the host does not resolve.
    await expect.poll(() => requests).toEqual([`http://${MARKER_HOST}/control.png`]);
    box.remove();
    calls.length = 0;
    requests.length = 0;
  });
});
