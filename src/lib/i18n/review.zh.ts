import type { reviewEn } from './review.en';

/** review 功能的中文界面文本（并入 zh.ts；键与 review.en.ts 一一对应）。 */
export const reviewZh: Record<keyof typeof reviewEn, string> = {
};
