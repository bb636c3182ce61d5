import { en, type MessageKey } from './en';
import { zh } from './zh';

export type Locale = 'en' | 'zh';
export const LOCALES: Locale[] = ['en', 'zh'];
const catalogues: Record<Locale, Record<MessageKey, string>> = { en, zh };

/** The browser's preferred UI language among ours: any zh-* is Chinese, everything else English. */
export function browserLocale(languages: readonly string[] = globalThis.navigator?.languages ?? []): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

/** Fills `{name}` placeholders. */
export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  // A key built at run time that the catalogue lacks shows as the key, never as "undefined".
  return format(catalogues[locale][key] ?? key, params);
}

/** The UI language. Components read `t` through context; switching re-renders every string. */
export class I18n {
  #locale = $state<Locale>('en');

  constructor(locale: Locale) {
    this.#locale = locale;
  }

  get locale(): Locale {
    return this.#locale;
  }

  set locale(l: Locale) {
    this.#locale = l;
    if (typeof document !== 'undefined') document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  }

  t = (key: MessageKey, params?: Record<string, string | number>): string => translate(this.#locale, key, params);

  /** The UI language as a BCP 47 tag, for Intl and toLocaleString. */
  get tag(): string {
    return this.#locale === 'zh' ? 'zh-CN' : 'en-US';
  }

  /** Numbers in the UI language's grouping. */
  n = (x: number): string => x.toLocaleString(this.tag);
}
