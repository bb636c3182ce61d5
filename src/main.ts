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
  // Another tab still runs an older version: the upgrade waits until it closes its connection (it
  // has been asked to, see lib/db/versionChange.ts). Say so meanwhile, instead of a blank page.
  const stopWaiting = db.versionChange.onBlocked(() => {
    const notice = document.createElement('p');
    notice.className = 'note';
    notice.setAttribute('role', 'alert');
    notice.dataset.testid = 'upgrade-waiting';
    notice.textContent = translate(browserLocale(), 'upgrade.waiting');
    target.replaceChildren(notice);
  });
  try {
    await db.open();
    target.replaceChildren();
  } catch (e) {
    // Private windows of some browsers and blocked storage land here: say so instead of a blank page.
    const err = e as Error;
    target.textContent = translate(browserLocale(), 'boot.dbFailed', { reason: `${err.name}: ${err.message}` });
    return;
  } finally {
    stopWaiting();
  }
  const locale = (await getSetting(db, 'locale')) ?? browserLocale();
  const app = createApp(db, locale);
  mount(App, { target, props: { app } });
  if (import.meta.env.PROD) {
    app.pwa.register().catch((e: Error) => console.warn(`[seedforge] offline support unavailable: ${e.message}`));
  }
}

void boot();
