import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { openDb } from './lib/db/db';
import { getSetting } from './lib/db/settingsRepo';
import { browserLocale, translate } from './lib/i18n/i18n.svelte';
import { createApp } from './lib/state/app.svelte';
import { installErrorTransfer } from './lib/engines/errors';

installErrorTransfer();

const target = document.getElementById('app')!;

async function boot(): Promise<void> {
  const db = openDb();
  try {
    await db.open();
  } catch (e) {
    // Private windows of some browsers and blocked storage land here: say so instead of a blank page.
    const err = e as Error;
    target.textContent = translate(browserLocale(), 'boot.dbFailed', { reason: `${err.name}: ${err.message}` });
    return;
  }
  const locale = (await getSetting(db, 'locale')) ?? browserLocale();
  const app = createApp(db, locale);
  mount(App, { target, props: { app } });
  if (import.meta.env.PROD) {
    app.pwa.register().catch((e: Error) => console.warn(`[seedforge] offline support unavailable: ${e.message}`));
  }
}

void boot();
