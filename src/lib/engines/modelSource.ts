import { EngineError } from './errors';

/**
 * Where model files come from. Hugging Face by default; a mirror (users in China rely on
 * hf-mirror.com and similar) that serves the same paths under another base URL; or a folder on
 * the app's own origin holding a self-hosted copy.
 */
export type ModelSource = (
  | { kind: 'huggingface' }
  | { kind: 'mirror'; baseUrl: string }
  | { kind: 'local'; path: string }
) & {
  /**
   * Set (never stored) while air-gapped mode is on: every URL built from this source must stay on
   * the app's origin. It travels with the source into every worker that loads a model.
   */
  airGapped?: boolean;
};

export const HF_BASE = 'https://huggingface.co';
export const DEFAULT_SOURCE: ModelSource = { kind: 'huggingface' };

/** Checks a source the user typed; returns a message key for the problem, or null. */
export function sourceProblem(s: ModelSource): 'source.badUrl' | 'source.badPath' | null {
  if (s.kind === 'mirror') {
    try {
      const u = new URL(s.baseUrl);
      return u.protocol === 'https:' || u.protocol === 'http:' ? null : 'source.badUrl';
    } catch {
      return 'source.badUrl';
    }
  }
  // A path on this origin: '/models' or './models' — not '//host/…', which is another origin.
  if (s.kind === 'local') return /^\/(?!\/)|^\.\//.test(s.path) && !s.path.includes('..') && !s.path.includes('\\') ? null : 'source.badPath';
  return null;
}

/**
 * Rewrites a Hugging Face URL (`https://huggingface.co/<repo>/resolve/main/<file>` or a repo base
 * URL) for the chosen source. A local source keeps the path after the host:
 * `/models/<repo>/...`.
 */
export function rewriteHfUrl(url: string, s: ModelSource, origin = globalThis.location?.origin ?? 'http://localhost'): string {
  const out = rewrite(url, s, origin);
  if (s.airGapped) assertSameOrigin(out, origin);
  return out;
}

function rewrite(url: string, s: ModelSource, origin: string): string {
  if (s.kind === 'huggingface' || !url.startsWith(HF_BASE)) return url;
  const rest = url.slice(HF_BASE.length);
  if (s.kind === 'mirror') return s.baseUrl.replace(/\/+$/, '') + rest;
  return new URL(s.path.replace(/\/+$/, '') + rest, origin).href;
}

/**
 * The air gap's rule for anything the app itself fetches: the app's own origin (and blob:/data:
 * URLs, which never leave the device) only.
 * @throws {EngineError} AirGappedError naming the origin that was refused.
 */
export function assertSameOrigin(url: string, origin = globalThis.location?.origin ?? 'http://localhost'): void {
  const u = new URL(url, origin);
  if (u.protocol === 'blob:' || u.protocol === 'data:' || u.origin === origin) return;
  throw new EngineError('AirGappedError', `air-gapped mode is on: ${u.origin} is another origin (use a model folder served by this app, or turn air-gapped mode off in Settings)`);
}

/** The URL of a file in a Hugging Face repo, through the chosen source. */
export function hfFileUrl(repo: string, file: string, s: ModelSource, revision = 'main'): string {
  return rewriteHfUrl(`${HF_BASE}/${repo}/resolve/${revision}/${file}`, s);
}
