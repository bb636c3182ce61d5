/** English UI strings of the export feature (spread into en.ts; every key must exist in export.zh.ts). */
export const exportEn = {
} as const;
