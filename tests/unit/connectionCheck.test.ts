import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkConnection, modelsUrl } from '../../src/lib/engines/remote/connectionCheck';
import { ENDPOINT_PRESETS } from '../../src/lib/engines/remote/presets';
import { GOOD_KEY, MODELS, startFakeLlmServer, type FakeServer } from '../support/fakeLlmServer';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(() => server.close());

/** A port on 127.0.0.1 where nothing listens (bound, then freed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Check connection (GET <base>/models against the fake server)', () => {
  it('lists the models a server serves', async () => {
    const r = await checkConnection(`${server.url}/v1`, { kind: 'openai' });
    expect(r).toEqual({ ok: true, url: `${server.url}/v1/models`, models: MODELS });
  });

  it('accepts a trailing slash and sends the key where the server wants one', async () => {
    expect(await checkConnection(`${server.url}/locked/v1/`, { kind: 'openai', key: GOOD_KEY })).toMatchObject({ ok: true, models: MODELS });
    expect(await checkConnection(`${server.url}/locked/v1`, { kind: 'openai' })).toMatchObject({ ok: false, problem: 'auth', status: 401 });
  });

  it('says the path is wrong when the base address lacks /v1', async () => {
    expect(await checkConnection(server.url, { kind: 'openai' })).toMatchObject({ ok: false, problem: 'wrongPath', status: 404, url: `${server.url}/models` });
  });

  it('says nothing listens on a closed port (refused), without throwing', async () => {
    const port = await closedPort();
    expect(await checkConnection(`http://127.0.0.1:${port}/v1`, { kind: 'openai' })).toMatchObject({ ok: false, problem: 'refused', status: null });
  });

  it('refuses an address that is not http(s) before any request', async () => {
    expect(await checkConnection('ftp://127.0.0.1/v1', { kind: 'openai' })).toMatchObject({ ok: false, problem: 'badUrl' });
    expect(await checkConnection('not a url', { kind: 'openai' })).toMatchObject({ ok: false, problem: 'badUrl' });
    expect(modelsUrl('http://127.0.0.1:8080/v1/')).toBe('http://127.0.0.1:8080/v1/models');
  });

  it('tells a server that answers without a model list (not JSON, no list)', async () => {
    const html = (async () => new Response('<html>hi</html>', { status: 200 })) as typeof fetch;
    expect(await checkConnection('http://127.0.0.1:9/v1', { kind: 'openai', fetch: html })).toMatchObject({ ok: false, problem: 'notJson' });
    const other = (async () => Response.json({ hello: 1 })) as typeof fetch;
    expect(await checkConnection('http://127.0.0.1:9/v1', { kind: 'openai', fetch: other })).toMatchObject({ ok: false, problem: 'notJson' });
  });

  it('tells CORS from refused: the request fails but an opaque no-cors request gets through', async () => {
    const corsBlocked = (async (_url: string, init?: RequestInit) => {
      if (init?.mode === 'no-cors') return new Response(null, { status: 200 });
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expect(await checkConnection('http://127.0.0.1:11434/v1', { kind: 'openai', fetch: corsBlocked })).toMatchObject({ ok: false, problem: 'cors' });
  });

  it('says "refused or CORS" where the page cannot tell (isolated and under a service worker)', async () => {
    vi.stubGlobal('crossOriginIsolated', true);
    vi.stubGlobal('navigator', { serviceWorker: { controller: {} } });
    try {
      const failing = (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch;
      expect(await checkConnection('http://127.0.0.1:11434/v1', { kind: 'openai', fetch: failing })).toMatchObject({ ok: false, problem: 'unreachable' });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('has presets for the local servers at 127.0.0.1 that need no key', () => {
    const local = Object.fromEntries(ENDPOINT_PRESETS.filter((p) => ['llamacpp', 'ollama', 'lmstudio'].includes(p.id)).map((p) => [p.id, p]));
    expect(local.llamacpp).toMatchObject({ baseUrl: 'http://127.0.0.1:8080/v1', needsKey: false, kind: 'openai' });
    expect(local.ollama).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', needsKey: false, kind: 'openai' });
    expect(local.lmstudio).toMatchObject({ baseUrl: 'http://127.0.0.1:1234/v1', needsKey: false, kind: 'openai' });
  });
});
