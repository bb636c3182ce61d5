/** Types of ./mulberry32.mjs. */

/** mulberry32: a seeded generator, uniform in [0, 1) (not for cryptography). */
export declare function mulberry32(seed: number): () => number;
