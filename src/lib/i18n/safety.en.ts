/** English UI strings of the safety feature (spread into en.ts; every key must exist in safety.zh.ts). */
export const safetyEn = {
} as const;
