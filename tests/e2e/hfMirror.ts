import type { Page } from 'playwright-core';
import { CHAT_MODELS } from '../../src/lib/engines/catalogue';
import { startHfServer, type HfServer } from '../support/hfServer';
import { GGUF_FIXTURE, baseUrl } from './helpers';

/**
 * A local server with Hugging Face's URL layout that serves the tiny test model
 * (tests/fixtures/stories260K.gguf, 1.2 MB) under catalogue entries' repo/file paths, so that a
 * test can click "Download" on a recommended model and get a real (tiny) GGUF.
 *
 *   const hf = await startHfMirror();                  // every catalogue entry, or startHfMirror(['qwen2.5-0.5b'])
 *   await useMirror(page, hf.url);                      // Models screen → Model source → Mirror → Save
 *   await useMirror(page, `${hf.url}/m/slow-300000`);   // the same, ~4 s per download (progress visible)
 *   await page.click(`[data-testid="catalogue-download-${id}"]`);
 *   await page.waitForSelector(`[data-testid="catalogue-stored-${id}"]`);
 *   hf.fileOf(id)  // the file name the app stores ("wllama:<file>" in the role selects)
 *   hf.requests    // what the app asked for ({path, range, status}); await hf.close() at the end
 */
export interface HfMirror extends HfServer {
  fileOf(entryId: string): string;
}

export async function startHfMirror(entryIds: string[] = CHAT_MODELS.map((m) => m.id), file = GGUF_FIXTURE): Promise<HfMirror> {
  const server = await startHfServer();
  for (const id of entryIds) {
    const e = CHAT_MODELS.find((m) => m.id === id);
    if (!e) throw new Error(`${id} is not in the chat-model catalogue`);
    server.serve(e.gguf.repo, e.gguf.file, file);
  }
  return Object.assign(server, {
    fileOf: (id: string) => {
      const e = CHAT_MODELS.find((m) => m.id === id);
      if (!e) throw new Error(`${id} is not in the chat-model catalogue`);
      return e.gguf.file;
    },
  });
}

/** Sets the app's model source to a mirror at `url` (on the Models screen) and waits until it is saved. */
export async function useMirror(page: Page, url: string): Promise<void> {
  if (!page.url().includes('#/models')) await page.goto(baseUrl() + '#/models');
  await page.waitForSelector('[data-testid="source-panel"]');
  await page.check('[data-testid="source-panel"] input[type="radio"][value="mirror"]');
  await page.fill('[data-testid="source-mirror"]', url);
  await page.click('[data-testid="source-save"]');
  await page.waitForFunction((u) => document.querySelector('[data-testid="catalogue-source"]')?.textContent?.includes(u), url);
}
