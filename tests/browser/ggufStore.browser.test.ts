import ggufUrl from '../fixtures/stories260K.gguf?url';
import { describe, expect, it } from 'vitest';
import { deleteGguf, downloadGguf, listGgufs, openGguf, saveGguf, scanGguf } from '../../src/lib/engines/local/ggufStore';
import { WllamaEngine } from '../../src/lib/engines/local/wllamaEngine';
import { complete } from '../../src/lib/engines/types';

describe('GGUF files kept in OPFS (real Origin Private File System)', () => {
  it('downloads a GGUF from a URL with progress, lists it, loads it, and deletes it', async () => {
    const progress: number[] = [];
    const g = await downloadGguf(ggufUrl, (loaded) => progress.push(loaded));
    expect(g).toMatchObject({ name: 'stories260K.gguf', size: 1185376, architecture: 'llama', contextLength: 2048, hasChatTemplate: false });
    expect(progress.at(-1)).toBe(1185376);
    expect((await listGgufs()).map((x) => x.name)).toContain('stories260K.gguf');
    const engine = new WllamaEngine({ kind: 'file', file: await openGguf('stories260K.gguf'), name: g.name }, { nCtx: 128 });
    await engine.load();
    const done = await complete(engine, { messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, maxTokens: 8 });
    expect(done.text).toBe(', there was a little girl');
    expect(done.usage?.completionTokens).toBe(8);
    await engine.unload();
    await deleteGguf('stories260K.gguf');
    expect((await listGgufs()).map((x) => x.name)).not.toContain('stories260K.gguf');
  });

  it('refuses a bad file and a missing URL, leaving nothing stored', async () => {
    await expect(saveGguf(new File(['definitely not a model, just text'], 'bad.gguf'))).rejects.toMatchObject({ name: 'GgufFormatError' });
    await expect(downloadGguf('/no-such-file-here.gguf')).rejects.toMatchObject({ name: expect.stringMatching(/ModelNotFoundError|GgufFormatError/) });
    const names = (await listGgufs()).map((x) => x.name);
    expect(names).not.toContain('bad.gguf');
    expect(names).not.toContain('no-such-file-here.gguf');
  });

  it('keeps a stored model when adding it again fails mid-write (issue 13: the model that vanished)', async () => {
    const bytes = await (await fetch(ggufUrl)).arrayBuffer();
    await saveGguf(new File([bytes], 'keep.gguf'));
    // The same name with different bytes (so it is written again), whose stream fails half-way, as a
    // full disk (QuotaExceededError) or a closed tab does. The old code then removed `keep.gguf`.
    class FailingFile extends File {
      override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
        let sent = false;
        return new ReadableStream({
          pull(ctl) {
            if (sent) return ctl.error(new DOMException('the disk is full', 'QuotaExceededError'));
            sent = true;
            ctl.enqueue(new Uint8Array(bytes.slice(0, 65536)));
          },
        });
      }
    }
    const padded = new FailingFile([bytes, new Uint8Array(4096)], 'keep.gguf');
    await expect(saveGguf(padded)).rejects.toMatchObject({ name: 'QuotaExceededError' });
    const { models, rejected } = await scanGguf();
    expect(models.find((m) => m.name === 'keep.gguf')).toMatchObject({ size: bytes.byteLength, architecture: 'llama' });
    expect(rejected.map((r) => r.name)).not.toContain('keep.gguf.saving');
    expect((await openGguf('keep.gguf')).size).toBe(bytes.byteLength);
    // A failed download under the same name leaves it too.
    await expect(downloadGguf('/no-such-dir/keep.gguf')).rejects.toBeTruthy();
    expect((await openGguf('keep.gguf')).size).toBe(bytes.byteLength);
    // Adding the very same file again writes nothing and keeps it.
    await saveGguf(new File([bytes], 'keep.gguf'));
    expect((await openGguf('keep.gguf')).size).toBe(bytes.byteLength);
    await deleteGguf('keep.gguf');
  });

  it('lists the files the reader refuses, with the reason, instead of hiding them', async () => {
    const bytes = await (await fetch(ggufUrl)).arrayBuffer();
    const d = await (await navigator.storage.getDirectory()).getDirectoryHandle('gguf', { create: true });
    const put = async (name: string, data: BlobPart) => {
      const w = await (await d.getFileHandle(name, { create: true })).createWritable();
      await w.write(new Blob([data]));
      await w.close();
    };
    await put('text.gguf', 'definitely not a model, just some text to fill a header');
    await put('cut.gguf', bytes.slice(0, 200_000));
    await put('half.gguf.saving', bytes.slice(0, 1000));
    await put('whole.gguf', bytes);
    const { models, rejected } = await scanGguf();
    expect(models.map((m) => m.name)).toContain('whole.gguf');
    const why = Object.fromEntries(rejected.map((r) => [r.name, r]));
    expect(why['text.gguf']).toMatchObject({ reason: 'notGguf', size: 55, detail: expect.stringMatching(/magic/) });
    expect(why['cut.gguf']).toMatchObject({ reason: 'truncated', size: 200_000, detail: expect.stringMatching(/truncated/) });
    expect(why['half.gguf.saving']).toMatchObject({ reason: 'partial', size: 1000 });
    expect(why['whole.gguf']).toBeUndefined();
    for (const n of ['text.gguf', 'cut.gguf', 'half.gguf.saving', 'whole.gguf']) await deleteGguf(n);
    expect((await scanGguf()).rejected).toEqual([]);
  });
});
