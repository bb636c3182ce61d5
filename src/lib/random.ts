/**
 * A seeded PRNG shared by the pipeline (reproducible runs) and the dedup tests and benchmarks.
 * The generator lives in a plain .mjs so that the fake servers in scripts/ use the same one.
 */
export { mulberry32 } from './mulberry32.mjs';
