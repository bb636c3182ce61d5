import type { ExportPrivacyOptions } from './exportScan';
import type { PrivacySettings } from './settings';

/**
 * Whether some run's recipe asks for redacted outputs (recipe.privacy.redactOutputs): an export of
 * what such a run made is then redacted whatever the export's own box says. One rule for the
 * sample export and the preference-pair export, in the app and on the command line.
 */
export function recipeRedacts(runs: readonly { recipe: { privacy?: { redactOutputs?: boolean } } }[]): boolean {
  return runs.some((r) => r.recipe.privacy?.redactOutputs === true);
}

/**
 * The exporter's `privacy` option: the project's lists, scanning when asked or when a recipe
 * forces redaction (then redacting too); undefined when neither (no pass at all).
 */
export function exportPrivacy(settings: PrivacySettings, o: { scan: boolean; redact: boolean; forced: boolean }): ExportPrivacyOptions | undefined {
  if (!o.scan && !o.forced) return undefined;
  return { names: settings.names, terms: settings.terms, ignored: settings.ignored, mode: settings.mode, redact: o.redact || o.forced };
}
