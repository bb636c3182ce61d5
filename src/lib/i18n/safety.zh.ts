import type { safetyEn } from './safety.en';

/** safety 功能的中文界面文本（并入 zh.ts；键与 safety.en.ts 一一对应）。 */
export const safetyZh: Record<keyof typeof safetyEn, string> = {
};
