import type { AppDb } from '../db/db';
import { setSetting } from '../db/settingsRepo';
import type { I18n, Locale } from '../i18n/i18n.svelte';

/**
 * Switches the interface language and stores the choice, read again at start-up (src/main.ts).
 * The header's and the Settings screen's pickers both go through here, so no screen writes a
 * setting itself.
 */
export async function chooseLocale(db: AppDb, i18n: I18n, locale: Locale): Promise<void> {
  i18n.locale = locale;
  await setSetting(db, 'locale', locale);
}
