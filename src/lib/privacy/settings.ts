/**
 * A project's privacy settings (stored per project, src/lib/db/settingsRepo.ts `privacy`): the
 * user's lists that feed detectPii, the values ruled not personal, the redaction mode, and the
 * runs the user allowed past the remote-call guard.
 */
import type { PrivacyLists, RedactMode } from './scan';

export interface PrivacySettings extends PrivacyLists {
  mode: RedactMode;
  /** Runs whose prompts may reach a remote engine with findings in them (the user's "allow for this run"). */
  allowedRuns: string[];
}

export const DEFAULT_PRIVACY: PrivacySettings = { names: [], terms: [], ignored: [], mode: 'placeholder', allowedRuns: [] };

/** A stored value read leniently: a field of the wrong type falls back to its default. */
export function readPrivacy(stored: unknown): PrivacySettings {
  const s = (stored ?? {}) as Partial<Record<keyof PrivacySettings, unknown>>;
  const strings = (x: unknown) => (Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : []);
  return {
    names: strings(s.names),
    terms: strings(s.terms),
    ignored: strings(s.ignored),
    mode: s.mode === 'mask' ? 'mask' : 'placeholder',
    allowedRuns: strings(s.allowedRuns),
  };
}

/** One entry per line, trimmed, blank lines and repeats dropped (the settings' text areas). */
export function parseList(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean))];
}
