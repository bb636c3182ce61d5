/**
 * XSS payloads in the style of the OWASP XSS filter-evasion cheat sheet, PortSwigger's XSS cheat
 * sheet and DOMPurify's own mutation-XSS regressions, plus markdown-specific tricks. Every payload,
 * if it ever ran, calls `window.__xss(id)` (or `parent.__xss(id)` from a frame, or `alert(id)`), or
 * requests a marker URL containing `xss-marker.invalid/<id>`; the tests define the counter and
 * watch for the dialog and the request.
 */
export interface Payload {
  id: number;
  kind: 'script' | 'handler' | 'svg' | 'frame' | 'url' | 'mxss' | 'css' | 'markdown' | 'template' | 'unicode';
  text: string;
}

/** The host every request-making payload points at. Nothing may ever request it. */
export const MARKER_HOST = 'xss-marker.invalid';

type Make = (call: string, marker: string, id: number) => string;

const b64 = (s: string) => btoa(s);

const RAW: [Payload['kind'], Make][] = [
  // <script> in its many spellings
  ['script', (c) => `<script>${c}</script>`],
  ['script', (_, m) => `<SCRIPT SRC=${m}.js></SCRIPT>`],
  ['script', (c) => `<scr<script>ipt>${c}</scr</script>ipt>`],
  ['script', (c) => `"><script>${c}</script>`],
  ['script', (c) => `</textarea><script>${c}</script>`],
  ['script', (c) => `</title></style></noscript><script type="module">${c}</script>`],
  ['script', (c) => `<script\x20type="text/javascript">javascript:${c};</script>`],
  ['script', (_, __, id) => `<script>alert(${id})</script>`],
  // event handlers, every quoting style
  ['handler', (c) => `<img src=x onerror=${c}>`],
  ['handler', (c) => `<img src="x" onerror="${c}">`],
  ['handler', (c) => `<img src='x' onerror='${c}'>`],
  ['handler', (c) => `<img src=x onerror=\`${c}\`>`],
  ['handler', (c) => `<img/src/onerror=${c}>`],
  ['handler', (c) => `<IMG SRC=x OnErRoR=${c}>`],
  ['handler', (_, __, id) => `<img src=x onerror="&#x5f;&#x5f;xss(${id})">`],
  ['handler', (c) => `<img src=x onerror=${c}//`],
  ['handler', (c) => `<body onload=${c}>`],
  ['handler', (c) => `<div onmouseover="${c}" style="position:fixed;inset:0">hover me</div>`],
  ['handler', (c) => `<input autofocus onfocus=${c}>`],
  ['handler', (c) => `<details open ontoggle=${c}>`],
  ['handler', (c) => `<video><source onerror="${c}"></video>`],
  ['handler', (c) => `<audio src=x onerror=${c}>`],
  ['handler', (c) => `<select autofocus onfocus=${c}></select>`],
  ['handler', (c) => `<a onclick="${c}" href="#">click me</a>`],
  ['handler', (_, __, id) => `<img src=x onerror=alert(${id})>`],
  ['handler', (c) => `<img """><script>${c}</script>">`],
  ['handler', (c) => `<isindex type=image src=1 onerror=${c}>`],
  ['handler', (c) => `<img src=1 onerror\x0b=${c}>`],
  // SVG
  ['svg', (c) => `<svg onload=${c}>`],
  ['svg', (c) => `<svg><script>${c}</script></svg>`],
  ['svg', (c) => `<svg><animate onbegin=${c} attributeName=x dur=1s>`],
  ['svg', (c) => `<svg><a xlink:href="javascript:${c}"><text x="20" y="20">svg link</text></a></svg>`],
  ['svg', (c) => `<svg><foreignObject><img src=x onerror=${c}></foreignObject></svg>`],
  ['svg', (_, m) => `<svg><image href="${m}.svg" /></svg>`],
  ['svg', (c) => `<svg><set attributeName="onmouseover" to="${c}"/><rect width="100" height="100"/></svg>`],
  // frames and plugins
  ['frame', (_, __, id) => `<iframe srcdoc="<script>parent.__xss(${id})</script>"></iframe>`],
  ['frame', (_, __, id) => `<iframe src="javascript:parent.__xss(${id})"></iframe>`],
  ['frame', (c) => `<object data="javascript:${c}"></object>`],
  ['frame', (_, __, id) => `<embed title="xss(${id})" src="data:text/html;base64,${b64(`<script>parent.__xss(${id})</script>`)}">`],
  ['frame', (_, m) => `<iframe src="${m}.html"></iframe>`],
  ['frame', (_, m) => `<object data="${m}.swf"></object>`],
  // javascript:, data:, vbscript: URLs in HTML
  ['url', (c) => `<a href="javascript:${c}">js link</a>`],
  ['url', (c) => `<a href="JaVaScRiPt:${c}">mixed case</a>`],
  ['url', (c) => `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${c}">decimal entities</a>`],
  ['url', (c) => `<a href="&#x6A;avascript&colon;${c}">hex entity and &amp;colon;</a>`],
  ['url', (c) => `<a href="  java\tscript:${c}">tab inside</a>`],
  ['url', (c) => `<a href=javascript&colon;${c}>unquoted</a>`],
  ['url', (_, __, id) => `<a href="data:text/html;base64,${b64(`<script>opener.__xss(${id})</script>`)}">data link xss(${id})</a>`],
  ['url', (c) => `<a href="vbscript:${c}">vbscript</a>`],
  ['url', (c) => `<form action="javascript:${c}"><button>go</button></form>`],
  ['url', (c) => `<meta http-equiv="refresh" content="0;url=javascript:${c}">`],
  ['url', (c) => `<base href="javascript:${c}//">`],
  // mutation XSS and parser confusion
  ['mxss', (c) => `<math><mtext><table><mglyph><style><img src=x onerror=${c}>`],
  ['mxss', (c) => `<math><mi xlink:href="javascript:${c}">math link</mi></math>`],
  ['mxss', (c) => `<noscript><p title="</noscript><img src=x onerror=${c}>">`],
  ['mxss', (c) => `<form><math><mtext></form><form><mglyph><style></math><img src onerror=${c}>`],
  ['mxss', (c) => `<svg></p><style><a id="</style><img src=1 onerror=${c}>">`],
  ['mxss', (c) => `<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=${c}>"></style></h1>`],
  ['mxss', (c) => `<div><template shadowrootmode="open"><img src=x onerror=${c}></template></div>`],
  ['mxss', (c) => `<xmp><img src=x onerror=${c}></xmp>`],
  ['mxss', (c) => `<!--<img src="--><img src=x onerror=${c}//">`],
  ['mxss', (c) => `<![CDATA[><img src=x onerror=${c}>]]>`],
  // CSS that fetches
  ['css', (_, m) => `<style>@import '${m}.css';</style>`],
  ['css', (_, m) => `<div style="background:url(${m}.png)">background</div>`],
  ['css', (_, m) => `<link rel=stylesheet href=${m}.css>`],
  ['css', (_, m) => `<img src="${m}.gif">`],
  ['css', (_, m) => `<img srcset="${m}.webp 1x">`],
  // markdown tricks
  ['markdown', (c) => `[click me](javascript:${c})`],
  ['markdown', (c) => `[click me](JaVaScRiPt:${c})`],
  ['markdown', (c) => `[click me](javascript&#58;${c})`],
  ['markdown', (c) => `[click me](<javascript:${c}>)`],
  ['markdown', (c) => `[click me][ref]\n\n[ref]: javascript:${c}`],
  ['markdown', (c) => `<javascript:${c}>`],
  ['markdown', (c) => `![x](x" onerror="${c})`],
  ['markdown', (_, m) => `![tracking pixel](${m}.png)`],
  ['markdown', (_, m) => `![ref image][img]\n\n[img]: ${m}.jpg`],
  ['markdown', (c, m) => `[![nested](${m}.png)](javascript:${c})`],
  ['markdown', (_, __, id) => `[data link xss(${id})](data:text/html;base64,${b64(`<script>opener.__xss(${id})</script>`)})`],
  ['markdown', (c) => `<div>\n\n**bold** <img src=x onerror=${c}>\n\n</div>`],
  ['markdown', (c) => `Inline \`<img src=x onerror=${c}>\` code`],
  ['markdown', (c) => `\`\`\`html\n<script>${c}</script>\n\`\`\``],
  ['markdown', (c) => `[a real link](https://example.org/ "title\\" onmouseover=\\"${c}")`],
  ['markdown', (c) => `**<img src=x onerror=${c}>**`],
  ['markdown', (c) => `| a | b |\n|---|---|\n| <img src=x onerror=${c}> | [x](javascript:${c}) |`],
  ['markdown', (c) => `<a href="javascript:${c}">[md inside html](javascript:${c})</a>`],
  ['markdown', (c) => `[vb](vbscript:${c}) and [file](file:///etc/passwd)`],
  ['markdown', (c) => `[x](https://example.org/) [y]( javascript:${c} ) <mailto:someone@example.org>`],
  ['markdown', (c) => `- [x] <input onfocus=${c} autofocus>\n- [ ] task`],
  ['markdown', (c) => `> quote <svg/onload=${c}>\n\n# heading <img src=x onerror=${c}>`],
  // template injection: Svelte, Angular/Vue, JS template literals
  ['template', (c) => `{@html '<img src=x onerror=${c}>'}`],
  ['template', (c) => `{{constructor.constructor('${c}')()}}`],
  ['template', (c) => `\${${c}}`],
  ['template', (c) => `{#if true}<img src=x onerror=${c}>{/if}`],
  ['template', (c) => `<div v-html="'<img src=x onerror=${c}>'"></div>{{$eval('${c}')}}`],
  // zero-width and bidi characters
  ['unicode', (c) => `\u202e<img src=x onerror=${c}>`],
  ['unicode', (c) => `<scr\u200bipt>${c}</scr\u200bipt>`],
  ['unicode', (c) => `[https://example.org\u202e](javascript:${c})`],
  ['unicode', (c) => `\uff1cscript\uff1e${c}\uff1c/script\uff1e`],
  ['unicode', (c) => `<a href="java&#x09;script:${c}">tab entity</a>`],
  ['unicode', (c) => `[link](https://exa\u202emple.org/${c})`],
  ['unicode', (c) => `\u2066<img src=x onerror=${c}>\u2069 \ufeff<svg onload=${c}>`],
];

export const PAYLOADS: Payload[] = RAW.map(([kind, make], k) => {
  const id = k + 1;
  return { id, kind, text: make(`__xss(${id})`, `http://${MARKER_HOST}/${id}`, id) };
});

/** Text that only payload `p` contains, to search for it: its call (`__xss(<id>)`, `alert(<id>)`, `xss(<id>)`) or marker URL. */
export function payloadTag(p: Payload): string {
  const tag = [`__xss(${p.id})`, `alert(${p.id})`, `xss(${p.id})`, `${MARKER_HOST}/${p.id}.`].find((t) => p.text.includes(t));
  if (!tag) throw new Error(`payload ${p.id} has no call or marker to find it by`);
  return tag;
}
