import ggufUrl from '../fixtures/stories260K.gguf?url';
import notGgufUrl from '../fixtures/prompts.csv?url';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { describeGguf, deleteGguf, openGguf } from '../../src/lib/engines/local/ggufStore';
import { discardPartialDownload, listPartialDownloads, startModelDownload } from '../../src/lib/engines/local/modelDownload';
import { TEST_FILE, TEST_REPO } from '../support/hfFixture';

/**
 * Model downloads in real Chromium: a real worker writing into the real Origin Private File
 * System through a sync access handle, from the Hugging Face-layout test server (302 to a CDN
 * path, Range with 206, dropped connections, a server that ignores Range).
 */
const hf = inject('hfUrl');
const url = `${hf}/${TEST_REPO}/resolve/main/${TEST_FILE}`;
const NAME = TEST_FILE;

let expected: Uint8Array;
const log = async (): Promise<{ path: string; range: string | null; status: number }[]> => (await fetch(`${hf}/__log`)).json();
const mode = (q = '') => fetch(`${hf}/__mode${q}`);

async function storedBytes(): Promise<Uint8Array> {
  return new Uint8Array(await (await openGguf(NAME)).arrayBuffer());
}

beforeEach(async () => {
  expected ??= new Uint8Array(await (await fetch(ggufUrl)).arrayBuffer());
  await mode();
  await fetch(`${hf}/__reset`);
  await deleteGguf(NAME).catch(() => undefined);
  await discardPartialDownload(NAME);
});

describe('resumable model download into OPFS (real worker, real OPFS, HF-layout server)', () => {
  it('downloads through the redirect with progress, stores the whole file as a GGUF and leaves no partial', async () => {
    const seen: [number, number][] = [];
    const out = await startModelDownload({ url, name: NAME }, (l, t) => seen.push([l, t])).done;
    expect(out).toMatchObject({ name: NAME, size: expected.length, resumedFrom: 0, restarts: 0 });
    expect(await storedBytes()).toEqual(expected);
    expect(await describeGguf(NAME, await openGguf(NAME))).toMatchObject({ architecture: 'llama', size: expected.length });
    expect(seen.at(-1)).toEqual([expected.length, expected.length]);
    expect(seen.every(([l], i) => i === 0 || l >= seen[i - 1]![0])).toBe(true);
    expect(await listPartialDownloads()).toEqual([]);
    expect((await log()).map((r) => r.status)).toEqual([302, 200]);
  });

  it('resumes with Range after each dropped connection', async () => {
    await mode('?drop=250000');
    const out = await startModelDownload({ url, name: NAME, retryDelayMs: 20 }).done;
    expect(out.size).toBe(expected.length);
    expect(await storedBytes()).toEqual(expected);
    const cdn = (await log()).filter((r) => r.path.includes('/cdn/'));
    expect(cdn.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 250000));
    expect(cdn[0]!.range).toBeNull();
    // Each later request asks for the bytes after those it has, in increasing order.
    const starts = cdn.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r.range ?? '')?.[1]));
    expect(cdn.slice(1).every((r) => r.status === 206)).toBe(true);
    expect(starts.every((v, i) => v > 0 && (i === 0 || v >= starts[i - 1]!))).toBe(true);
  });

  it('after a "reload" (a new worker), finds the partial in OPFS and continues from its bytes', async () => {
    await mode('?drop=300000');
    const first = startModelDownload({ url, name: NAME, retries: 0 });
    await expect(first.done).rejects.toMatchObject({ name: 'NetworkError' });
    const [partial] = await listPartialDownloads();
    expect(partial).toMatchObject({ name: NAME, url, total: expected.length });
    const have = partial!.have;
    expect(have).toBeGreaterThan(0);
    expect(have).toBeLessThanOrEqual(300000);
    await mode();
    await fetch(`${hf}/__reset`);
    // A fresh worker knows nothing but what OPFS holds.
    const out = await startModelDownload({ url, name: NAME }).done;
    expect(out).toMatchObject({ resumedFrom: have, restarts: 0, size: expected.length });
    expect(await storedBytes()).toEqual(expected);
    expect((await log()).find((r) => r.path.includes('/cdn/'))).toMatchObject({ range: `bytes=${have}-`, status: 206 });
    expect(await listPartialDownloads()).toEqual([]);
  });

  it('starts over when the server answers 200 instead of 206, and the final size is right', async () => {
    await mode('?drop=400000');
    await expect(startModelDownload({ url, name: NAME, retries: 0 }).done).rejects.toMatchObject({ name: 'NetworkError' });
    const have = (await listPartialDownloads())[0]!.have;
    expect(have).toBeGreaterThan(0);
    await mode('?norange=1');
    await fetch(`${hf}/__reset`);
    const out = await startModelDownload({ url, name: NAME }).done;
    expect(out).toMatchObject({ resumedFrom: have, restarts: 1, size: expected.length });
    expect((await log()).find((r) => r.path.includes('/cdn/'))).toMatchObject({ range: `bytes=${have}-`, status: 200 });
    expect(await storedBytes()).toEqual(expected);
  });

  it('cancel keeps the bytes for a resume; a missing file is ModelNotFoundError and leaves nothing', async () => {
    await mode('?slow=200000');
    let dl!: ReturnType<typeof startModelDownload>;
    const progressed = new Promise<void>((resolve) => {
      dl = startModelDownload({ url, name: NAME }, (l) => l > 0 && resolve());
    });
    await progressed;
    dl.cancel();
    await expect(dl.done).rejects.toMatchObject({ name: 'AbortedError' });
    const [partial] = await listPartialDownloads();
    expect(partial!.have).toBeGreaterThan(0);
    expect(partial!.have).toBeLessThan(expected.length);
    await mode();
    expect((await startModelDownload({ url, name: NAME }).done).resumedFrom).toBe(partial!.have);
    expect(await storedBytes()).toEqual(expected);

    await expect(startModelDownload({ url: `${hf}/${TEST_REPO}/resolve/main/missing.gguf`, name: 'missing.gguf' }).done).rejects.toMatchObject({ name: 'ModelNotFoundError' });
    expect(await listPartialDownloads()).toEqual([]);
  });

  it('a finished file the GGUF reader refuses never replaces the model stored under that name', async () => {
    await startModelDownload({ url, name: NAME }).done;
    expect(await storedBytes()).toEqual(expected);
    // The same name, but the server sends something else (a mirror's error page, a wrong file).
    const bad = new URL(notGgufUrl, location.href).href;
    await expect(startModelDownload({ url: bad, name: NAME }).done).rejects.toMatchObject({ name: 'InvalidModelError' });
    expect(await storedBytes()).toEqual(expected);
    expect(await describeGguf(NAME, await openGguf(NAME))).toMatchObject({ architecture: 'llama' });
    expect(await listPartialDownloads()).toEqual([]);
  });
});
