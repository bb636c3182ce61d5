/**
 * Model outputs and seeds are untrusted text: a model can be prompted (or a seed file crafted) to
 * write `<script>`, event handlers, `javascript:` links or SVG. Everywhere else the app shows text
 * through Svelte's escaping; this module is the one way to show it as formatted markdown.
 *
 * Two layers, each enough on its own for the script cases:
 * 1. marked, with a renderer that never emits raw HTML (an HTML block or tag in the text is shown
 *    as literal text), never emits an image (a remote image would contact another origin: a leak
 *    for an app whose data must stay on this machine; the alt text is shown instead), and emits a
 *    link only for an absolute http(s) or mailto URL.
 * 2. DOMPurify with an allow-list of plain formatting tags (no svg, math, style, form, template:
 *    without foreign content there is nothing for mutation XSS to re-parse into), no attributes
 *    beyond href/align/start, and a hook that re-checks every href after the browser has decoded
 *    it and adds rel="noopener noreferrer" target="_blank" and the real destination as the title.
 *
 * Rendering runs in the browser only: without a DOM DOMPurify returns its input unchanged, so
 * `renderMarkdown` throws instead (fail closed).
 */
import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';
import { Marked, type Tokens } from 'marked';

/** Longer texts are shown as plain text: a markdown parser's worst cases grow faster than linear. */
export const MARKDOWN_MAX_CHARS = 200_000;

/** Thrown where no DOM sanitiser is available (a worker, Node): nothing unsanitised is returned. */
export class SanitizerUnavailableError extends Error {
  override name = 'SanitizerUnavailableError';
  constructor() {
    super('No HTML sanitiser in this context (DOMPurify needs a DOM): show the text as plain text.');
  }
}

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
/** Zero-width and bidirectional controls: in a URL they only serve to disguise where it leads. */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/**
 * The URL a link may point to, or null. Only absolute http(s) and mailto URLs without embedded
 * credentials (`https://bank.example@evil.example`) and without invisible or bidi characters;
 * relative URLs are refused too (they would navigate inside the app). The result is the parsed,
 * normalised URL, so what was checked is exactly what a click opens.
 */
export function safeHref(raw: string): string | null {
  if (INVISIBLE.test(raw)) return null;
  // What the URL parser itself ignores: leading/trailing C0 controls and spaces, tabs and newlines.
  // eslint-disable-next-line no-control-regex
  const s = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return null;
  }
  if (!LINK_PROTOCOLS.has(url.protocol)) return null;
  if (url.username || url.password) return null;
  if (url.protocol !== 'mailto:' && !url.hostname) return null;
  return url.href;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const IMAGE_CLASS = 'md-image';

/**
 * Whether the render in progress may emit links. A link the model wrote can carry data in its URL
 * (a prompt-injected answer can put the conversation into a query string), so while air-gapped
 * links are shown as text with their destination. Set only for the duration of a synchronous
 * render (marked and DOMPurify both run synchronously here).
 */
let linksAllowed = true;

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // Raw HTML in the text is text.
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    // Never load an image: show its description.
    image({ text }: Tokens.Image) {
      return `<span class="${IMAGE_CLASS}">${escapeHtml(text)}</span>`;
    },
    link(token: Tokens.Link) {
      const { href, tokens } = token;
      const inner = this.parser.parseInline(tokens);
      const url = safeHref(href);
      if (!url) return inner;
      if (!linksAllowed) return token.text === url || token.text === href ? escapeHtml(url) : `${inner} (${escapeHtml(url)})`;
      return `<a href="${escapeHtml(url)}">${inner}</a>`;
    },
    // A task list's checkbox would be an <input>: a character says the same.
    checkbox({ checked }: Tokens.Checkbox) {
      return checked ? '☑ ' : '☐ ';
    },
  },
});

export interface RenderOptions {
  /** false: links become their text and destination, nothing to click (air-gapped mode). Default true. */
  links?: boolean;
}

function withLinks<T>(options: RenderOptions, fn: () => T): T {
  const before = linksAllowed;
  linksAllowed = options.links ?? true;
  try {
    return fn();
  } finally {
    linksAllowed = before;
  }
}

/** Markdown → HTML by the first layer only (exported for tests; never insert its output unsanitised). */
export function markdownToUnsanitizedHtml(text: string, options: RenderOptions = {}): string {
  return withLinks(options, () => marked.parse(text, { async: false }));
}

const PURIFY_CONFIG: Config = {
  ALLOWED_TAGS: ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'span'],
  ALLOWED_ATTR: ['href', 'align', 'start', 'class'],
  ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  // Values that are never URLs (otherwise every attribute value must match the URL pattern).
  ADD_URI_SAFE_ATTR: ['align', 'start'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOW_SELF_CLOSE_IN_ATTR: false,
  SAFE_FOR_XML: true,
  WHOLE_DOCUMENT: false,
  RETURN_DOM: false,
  RETURN_DOM_FRAGMENT: false,
  RETURN_TRUSTED_TYPE: false,
};

let purifier: Purifier | null = null;

/** A DOMPurify instance of our own, so that its hooks never touch another caller's. */
function getPurifier(): Purifier {
  if (purifier) return purifier;
  if (typeof window === 'undefined' || !DOMPurify.isSupported) throw new SanitizerUnavailableError();
  const p = DOMPurify(window);
  if (!p.isSupported) throw new SanitizerUnavailableError();
  p.addHook('afterSanitizeAttributes', (node) => {
    if (node.hasAttribute('class') && !(node.nodeName === 'SPAN' && node.getAttribute('class') === IMAGE_CLASS)) node.removeAttribute('class');
    if (node.nodeName !== 'A') return;
    // getAttribute returns the value after entity decoding: `&#106;avascript:` is checked as `javascript:`.
    const href = node.getAttribute('href');
    const url = href === null || !linksAllowed ? null : safeHref(href);
    if (url) {
      node.setAttribute('href', url);
      node.setAttribute('title', url);
      node.setAttribute('rel', 'noopener noreferrer');
      node.setAttribute('target', '_blank');
    } else {
      node.removeAttribute('href');
      node.removeAttribute('target');
    }
  });
  purifier = p;
  return p;
}

/**
 * Sanitises HTML with the strict configuration above (the second layer; exported so tests can
 * feed it hostile HTML directly).
 * @throws SanitizerUnavailableError where there is no DOM.
 */
export function sanitizeHtml(html: string): string {
  return getPurifier().sanitize(html, PURIFY_CONFIG) as string;
}

/**
 * Untrusted markdown → HTML that is safe to insert into the page: no script, no event handler, no
 * request to any origin when inserted, links only to http(s)/mailto opening in a new tab.
 * @throws SanitizerUnavailableError where there is no DOM.
 */
export function renderMarkdown(text: string, options: RenderOptions = {}): string {
  const p = getPurifier();
  return withLinks(options, () => p.sanitize(marked.parse(text, { async: false }), PURIFY_CONFIG) as string);
}
