/** English UI strings of the review feature (spread into en.ts; every key must exist in review.zh.ts). */
export const reviewEn = {
} as const;
