// @ts-check
/**
 * mulberry32, in plain JavaScript so that Node scripts run without a build (scripts/fakeLlm.mjs)
 * and the app (through ./random.ts) draw from the one generator: small, fast, good enough for
 * sampling (not for cryptography).
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
