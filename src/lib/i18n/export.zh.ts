import type { exportEn } from './export.en';

/** export 功能的中文界面文本（并入 zh.ts；键与 export.en.ts 一一对应）。 */
export const exportZh: Record<keyof typeof exportEn, string> = {
};
