/**
 * English strings of the local model store (GGUF files, missing-model roles, Start's reason), the
 * local-server presets and their connection check, CPU speed, and the shared confirm dialog
 * (spread into en.ts; every key must exist in modelStore.zh.ts).
 */
export const modelStoreEn = {
  'confirm.ok': 'OK',
};
