import type { AppDb } from './db';
import type { ModelSource } from '../engines/modelSource';
import type { Roles } from '../engines/roles';

/** The only code that writes the settings table. Keys are listed here so that none is a typo. */
export interface Settings {
  locale: 'en' | 'zh' | null;
  currentProjectId: string | null;
  modelSource: ModelSource;
  roles: Roles;
  /** Air-gapped mode: no request to any other origin. */
  airGapped: boolean;
  /** The user's cap on local GGUF models' context length, in tokens (the model's own length and memory cap it too). */
  contextCap: number;
}

export async function getSetting<K extends keyof Settings>(db: AppDb, key: K): Promise<Settings[K] | undefined> {
  const row = await db.settings.get(key);
  return row?.value as Settings[K] | undefined;
}

export async function setSetting<K extends keyof Settings>(db: AppDb, key: K, value: Settings[K]): Promise<void> {
  await db.settings.put({ key, value });
}
