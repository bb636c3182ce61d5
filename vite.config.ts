import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { pwa } from './scripts/pwaPlugin.ts';

/**
 * Cross-origin isolation: wasm threads and SharedArrayBuffer need both headers.
 * Every server that serves the app (dev, preview, the browser-test server) sends them;
 * the README's deploy notes repeat them for static hosts.
 */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

import chromium from './chromium.json' with { type: 'json' };

export const chromiumArgs = chromium.args;
export const chromiumPath = process.env.CHROMIUM_PATH ?? chromium.path;

function browserMode(args: string[]) {
  return {
    enabled: true,
    headless: true,
    provider: playwright({ launchOptions: { executablePath: chromiumPath, args } }),
    instances: [{ browser: 'chromium' as const }],
  };
}

export default defineConfig({
  // Relative asset URLs: the static build works from any sub-path of any host.
  base: './',
  plugins: [svelte(), pwa()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  // Pre-bundle every dependency the browser tests reach. Discovered lazily, a new one makes
  // Vite reload the test page mid-run ("Vitest failed to find the runner").
  optimizeDeps: { include: ['comlink', 'dexie', 'hyparquet', 'hyparquet-writer', '@wllama/wllama', '@mlc-ai/web-llm', 'zod', '@huggingface/transformers', 'chart.js', 'marked', 'dompurify'] },
  build: { target: 'es2022', sourcemap: true },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.browser.test.ts', 'tests/e2e/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/**/*.browser.test.ts'],
          exclude: ['tests/**/*.webgpu.browser.test.ts'],
          browser: browserMode(chromiumArgs),
        },
      },
      {
        // The same, with Chromium's WebGPU turned on (SwiftShader on the CPU here: slow but
        // correct, without shader-f16). Files named *.webgpu.browser.test.ts run here.
        extends: true,
        test: {
          name: 'webgpu',
          include: ['tests/**/*.webgpu.browser.test.ts'],
          browser: browserMode([...chromiumArgs, '--enable-unsafe-webgpu']),
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
