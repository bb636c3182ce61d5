import type { AppDb } from './db';
import type { ModelSource } from '../engines/modelSource';
import type { Roles } from '../engines/roles';
import type { PrivacySettings } from '../privacy/settings';

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
  /** Generation speed measured per model on this device (playground answers), by engine reference key. */
  speeds: Record<string, { tokensPerSecond: number; model: string; at: number }>;
}

/**
 * Settings kept per project, each stored under `<name>:<projectId>` (no schema version: the
 * settings table takes any key).
 */
export interface ProjectSettings {
  /** The recipe in the editor, saved or not, and where it came from (state/workingRecipe.ts). */
  workingRecipe: { draft: Record<string, unknown>; source: { kind: string; [k: string]: unknown }; updatedAt: number };
  /** Personal data (src/lib/privacy/settings.ts): the user's lists, ignored values, redaction mode, runs allowed past the guard. */
  privacy: PrivacySettings;
}

/** The keys a project's settings are stored under (deleted with the project). */
export function projectSettingKeys(projectId: string): string[] {
  const names: (keyof ProjectSettings)[] = ['workingRecipe', 'privacy'];
  return names.map((k) => `${k}:${projectId}`);
}

export async function getProjectSetting<K extends keyof ProjectSettings>(db: AppDb, projectId: string, key: K): Promise<ProjectSettings[K] | undefined> {
  const row = await db.settings.get(`${key}:${projectId}`);
  return row?.value as ProjectSettings[K] | undefined;
}

export async function setProjectSetting<K extends keyof ProjectSettings>(db: AppDb, projectId: string, key: K, value: ProjectSettings[K]): Promise<void> {
  await db.settings.put({ key: `${key}:${projectId}`, value });
}

export async function getSetting<K extends keyof Settings>(db: AppDb, key: K): Promise<Settings[K] | undefined> {
  const row = await db.settings.get(key);
  return row?.value as Settings[K] | undefined;
}

export async function setSetting<K extends keyof Settings>(db: AppDb, key: K, value: Settings[K]): Promise<void> {
  await db.settings.put({ key, value });
}
