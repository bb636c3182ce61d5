import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadResumable, parseContentRange, type ByteSink, type PartialMeta } from '../../src/lib/engines/local/resumableDownload';
import { startHfServer, type HfServer } from '../support/hfServer';

const GGUF = new URL('../fixtures/stories260K.gguf', import.meta.url).pathname;
const BYTES = new Uint8Array(readFileSync(GGUF));
const REPO = 'bartowski/SmolLM2-360M-Instruct-GGUF';
const FILE = 'SmolLM2-360M-Instruct-Q4_K_M.gguf';

/** A sink in memory that counts flushes, like an OPFS file that keeps what was flushed. */
function memorySink(initial = new Uint8Array(0)) {
  let buf = new Uint8Array(initial);
  const sink: ByteSink & { bytes(): Uint8Array } = {
    size: () => buf.length,
    write(bytes, at) {
      if (at + bytes.length > buf.length) {
        const next = new Uint8Array(at + bytes.length);
        next.set(buf);
        buf = next;
      }
      buf.set(bytes, at);
    },
    truncate(n) {
      buf = buf.slice(0, n);
    },
    flush() {},
    bytes: () => buf,
  };
  return sink;
}

/**
 * The sink holds exactly the file. Not `toEqual`: Vitest's deep equality walks a 1.2 MB array
 * element by element (about 1.2 s each, 34 s for this file on a busy machine); this compares the
 * bytes natively and, when they differ, says where.
 */
function expectSameBytes(got: Uint8Array) {
  expect(got.length).toBe(BYTES.length);
  if (!Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(BYTES)) {
    const at = got.findIndex((b, i) => b !== BYTES[i]);
    expect.fail(`the bytes differ from the file first at offset ${at}`);
  }
}

let hf: HfServer;
beforeAll(async () => {
  hf = await startHfServer({ files: { [`${REPO}/${FILE}`]: GGUF } });
});
afterAll(() => hf?.close());
beforeEach(() => {
  hf.requests = [];
});

const url = (prefix = '') => `${hf.url}${prefix}/${REPO}/resolve/main/${FILE}`;

describe('resumable model download (Node fetch against the Hugging Face-layout test server)', () => {
  it('follows the redirect and downloads the whole file, progress ending at the size', async () => {
    const sink = memorySink();
    const seen: number[] = [];
    let meta: PartialMeta | null = null;
    const r = await downloadResumable({ url: url(), sink, meta: null, saveMeta: (m) => void (meta = m), onProgress: (l) => seen.push(l) });
    expect(r).toMatchObject({ size: BYTES.length, resumedFrom: 0, restarts: 0 });
    expectSameBytes(sink.bytes());
    expect(meta).toMatchObject({ total: BYTES.length, etag: expect.stringMatching(/^"/) });
    expect(seen.at(-1)).toBe(BYTES.length);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
    expect(hf.requests.map((q) => q.status)).toEqual([302, 200]);
  });

  it('resumes with Range after each dropped connection and gets the same bytes', async () => {
    const sink = memorySink();
    const r = await downloadResumable({ url: url('/m/drop-200000'), sink, meta: null, saveMeta: () => {}, retryDelayMs: 1 });
    expectSameBytes(sink.bytes());
    const cdn = hf.requests.filter((q) => q.path.includes('/cdn/'));
    expect(cdn.length).toBe(Math.ceil(BYTES.length / 200000));
    expect(cdn[0]!.range).toBeNull();
    expect(cdn.slice(1).every((q) => q.status === 206 && /^bytes=\d+-$/.test(q.range!))).toBe(true);
    // A kept-alive connection that the drop closed can fail before reaching the server: one fetch more, never fewer.
    expect(r.requests).toBeGreaterThanOrEqual(cdn.length);
  });

  it('continues a partial left by an earlier session (its metadata says the same URL and size)', async () => {
    const have = 500_000;
    const sink = memorySink(BYTES.slice(0, have));
    const meta: PartialMeta = { url: url(), total: BYTES.length, etag: null };
    const r = await downloadResumable({ url: url(), sink, meta, saveMeta: () => {} });
    expect(r.resumedFrom).toBe(have);
    expectSameBytes(sink.bytes());
    expect(hf.requests.at(-1)).toMatchObject({ range: `bytes=${have}-`, status: 206 });
  });

  it('starts over when the server answers 200 to a range request', async () => {
    const sink = memorySink(BYTES.slice(0, 300_000));
    const r = await downloadResumable({ url: url('/m/norange'), sink, meta: { url: url('/m/norange'), total: BYTES.length, etag: null }, saveMeta: () => {} });
    expect(r.restarts).toBe(1);
    expectSameBytes(sink.bytes());
    expect(hf.requests.at(-1)).toMatchObject({ range: 'bytes=300000-', status: 200 });
  });

  it('starts over when the file changed (another size or ETag) and when the partial is of another URL', async () => {
    const junk = new Uint8Array(400_000).fill(7);
    let sink = memorySink(junk);
    let r = await downloadResumable({ url: url(), sink, meta: { url: url(), total: BYTES.length, etag: '"something-else"' }, saveMeta: () => {} });
    expect(r.restarts).toBe(1);
    expectSameBytes(sink.bytes());
    sink = memorySink(junk);
    r = await downloadResumable({ url: url(), sink, meta: { url: url(), total: BYTES.length + 5, etag: null }, saveMeta: () => {} });
    expectSameBytes(sink.bytes());
    sink = memorySink(junk);
    r = await downloadResumable({ url: url(), sink, meta: { url: 'https://elsewhere.example/x.gguf', total: BYTES.length, etag: null }, saveMeta: () => {} });
    expect(r.resumedFrom).toBe(0);
    expectSameBytes(sink.bytes());
  });

  it('a partial that is already whole finishes on 416 without downloading again', async () => {
    const sink = memorySink(BYTES);
    const r = await downloadResumable({ url: url(), sink, meta: { url: url(), total: BYTES.length, etag: null }, saveMeta: () => {} });
    expect(r.size).toBe(BYTES.length);
    expect(hf.requests.at(-1)!.status).toBe(416);
  });

  it('gives up after the allowed drops without progress, keeping the bytes; 404 is ModelNotFoundError; abort is AbortedError', async () => {
    const sink = memorySink();
    await expect(downloadResumable({ url: url('/m/drop-100000'), sink, meta: null, saveMeta: () => {}, retries: 0 })).rejects.toMatchObject({ name: 'NetworkError', message: expect.stringContaining('try again to resume') });
    expect(sink.size()).toBe(100_000);
    await expect(downloadResumable({ url: `${hf.url}/${REPO}/resolve/main/nope.gguf`, sink: memorySink(), meta: null, saveMeta: () => {} })).rejects.toMatchObject({ name: 'ModelNotFoundError' });
    const ctl = new AbortController();
    const p = downloadResumable({ url: url('/m/slow-100000'), sink: memorySink(), meta: null, saveMeta: () => {}, signal: ctl.signal, onProgress: () => ctl.abort() });
    await expect(p).rejects.toMatchObject({ name: 'AbortedError' });
  });

  it('a full disk fails at once with its own error, without retrying', async () => {
    const sink = memorySink();
    sink.write = () => {
      throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    };
    await expect(downloadResumable({ url: url(), sink, meta: null, saveMeta: () => {}, retries: 5 })).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(hf.requests.filter((q) => q.path.includes('/cdn/')).length).toBe(1);
  });

  it('refuses a redirect to another origin while air-gapped', async () => {
    await expect(downloadResumable({ url: url(), sink: memorySink(), meta: null, saveMeta: () => {}, sameOrigin: 'http://localhost:1' })).rejects.toMatchObject({ name: 'AirGappedError' });
  });

  it('parses Content-Range', () => {
    expect(parseContentRange('bytes 10-99/100')).toEqual({ start: 10, total: 100 });
    expect(parseContentRange('bytes 10-99/*')).toEqual({ start: 10, total: null });
    expect(parseContentRange(null)).toBeNull();
  });
});
