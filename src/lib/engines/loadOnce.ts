/**
 * A model load that runs once and is shared by every caller. A failed load is forgotten, so the
 * next call tries again instead of returning the old rejection (STYLE.md: never cache a failure).
 */
export class LoadOnce {
  #p: Promise<void> | null = null;

  run(load: () => Promise<void>): Promise<void> {
    this.#p ??= load().catch((e) => {
      this.#p = null;
      throw e;
    });
    return this.#p;
  }

  reset(): void {
    this.#p = null;
  }
}
