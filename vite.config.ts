import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { dirname } from 'node:path';
import { pwa } from './scripts/pwaPlugin.ts';
// @ts-expect-error -- a plain .mjs script without types; it exports the path as a string
import { chatModelPath } from './scripts/models-chat.mjs';

/**
 * The real chat model the browser tests load (`npm run models:chat` makes it; the test command
 * runs that first). Served to the test page by Vite from outside the repository.
 */
const chatModel: string = chatModelPath();

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

/**
 * The Content-Security-Policy: only what the app needs. Scripts and workers from its own origin
 * (blob: workers and a blob: module import are how onnxruntime-web and wllama start their
 * threads), WebAssembly compilation ('wasm-unsafe-eval', not 'unsafe-eval'), styles from its origin plus the inline style
 * attributes Svelte sets (row positions, bar widths), images from its origin or data:/blob:. Model
 * files and remote APIs are whatever the user configures, so connections may go to any https:
 * origin or to a local server (Ollama, LM Studio, llama.cpp on localhost); air-gapped mode narrows
 * that to 'self' at run time. No plugins, no frames, no forms, no <base> tricks.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' blob: 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data: https: http://localhost:* http://127.0.0.1:* ws://localhost:*",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-src 'none'",
  "manifest-src 'self'",
].join('; ');

/** The same policy as a header (which can also forbid framing); preview and the deploy notes send it. */
export const securityHeaders = {
  ...isolationHeaders,
  'Content-Security-Policy': `${contentSecurityPolicy}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Puts the policy into index.html too, for static hosts that cannot send headers. */
function cspMeta(): Plugin {
  return {
    name: 'seedforge-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy }, injectTo: 'head-prepend' }],
  };
}

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
  plugins: [svelte(), pwa(), cspMeta()],
  // The dev server also serves Vitest's browser-mode pages (inline scripts of its own): isolation only.
  // Under Vitest the test server also serves the real chat model's folder (never `npm run dev`).
  server: { headers: isolationHeaders, fs: { allow: ['.', ...(process.env.VITEST ? [dirname(chatModel)] : [])] } },
  preview: { headers: securityHeaders },
  // Worker bundles are built separately: the same quiet timing check as build.rolldownOptions below.
  worker: { format: 'es', rolldownOptions: { checks: { bundlerTimings: false } } },
  // Pre-bundle every dependency the browser tests reach. Discovered lazily, a new one makes
  // Vite reload the test page mid-run ("Vitest failed to find the runner").
  optimizeDeps: { include: ['comlink', 'dexie', 'hyparquet', 'hyparquet-writer', '@wllama/wllama', '@mlc-ai/web-llm', 'zod', '@huggingface/transformers', 'chart.js', 'marked', 'dompurify', 'pdfjs-dist', 'pdfjs-dist/build/pdf.worker.mjs', 'mammoth', 'node-html-markdown'] },
  build: {
    target: 'es2022',
    sourcemap: true,
    // The model runtimes are large by nature (wllama's and onnxruntime's glue, WebLLM, transformers.js:
    // 1–6 MB each) and load lazily, in workers or on first use; splitting them would not make the first
    // screen faster. The limit sits above them so that a new oversized chunk still gets Vite's warning.
    chunkSizeWarningLimit: 7000,
    rolldownOptions: {
      // Rolldown's "plugins took N s" note measures this machine's load, not the project: `npm start`
      // would end with a dozen lines nobody can act on. Errors and other warnings stay on.
      checks: { bundlerTimings: false },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.browser.test.ts', 'tests/e2e/**'],
          // A loaded 2-core machine doubles a 5 s test; boundedness is asserted by counts, not by time.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/**/*.browser.test.ts'],
          // A Hugging Face-layout file server (redirects, Range, dropped connections) for the model downloads.
          globalSetup: ['tests/support/hfServerSetup.ts'],
          exclude: ['tests/**/*.webgpu.browser.test.ts', 'tests/**/*.chat.browser.test.ts'],
          browser: browserMode(chromiumArgs),
          // Budgets that hold on a loaded 2-core machine (a test that took 10 s alone timed out at
          // the default 15 s with a benchmark on the other core); speed is the benchmarks' business.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The real chat model (minutes per test on two cores): alone, after the other browser tests.
        extends: true,
        test: {
          name: 'chat',
          include: ['tests/**/*.chat.browser.test.ts'],
          browser: browserMode(chromiumArgs),
          provide: { chatModel },
          fileParallelism: false,
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
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/globalSetup.ts'],
          // The real chat model's path, for the one e2e test that runs a recipe on it (documentsRun).
          provide: { chatModel },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
