import { preview } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

/**
 * Serves the built app (dist/, made by `npm run test:e2e` before this runs) as a static host would.
 * SEEDFORGE_DIST names another build folder (`vite build --outDir dist-x`), so that two checkouts'
 * worth of work on one machine can test their own builds side by side.
 */
export default async function setup(project: TestProject) {
  const outDir = process.env.SEEDFORGE_DIST ?? 'dist';
  const server = await preview({ build: { outDir }, preview: { host: '127.0.0.1', port: 4318, strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url);
  return async () => {
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  };
}
