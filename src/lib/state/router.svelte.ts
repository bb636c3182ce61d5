/** Screens, addressed by the URL hash so that a static host needs no rewrite rules. */
export const SCREENS = ['seeds', 'documents', 'recipe', 'run', 'review', 'export', 'models', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export function parseHash(hash: string): Screen {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (SCREENS as readonly string[]).includes(name ?? '') ? (name as Screen) : 'seeds';
}

export class Router {
  #screen = $state<Screen>('seeds');

  constructor() {
    this.#screen = parseHash(location.hash);
    addEventListener('hashchange', () => (this.#screen = parseHash(location.hash)));
  }

  get screen(): Screen {
    return this.#screen;
  }

  href(screen: Screen): string {
    return `#/${screen}`;
  }

  /** Shows a screen (a drop of documents on any screen opens Documents). */
  go(screen: Screen): void {
    this.#screen = screen;
    if (parseHash(location.hash) !== screen) location.hash = this.href(screen);
  }
}
