import ggufUrl from '../fixtures/stories260K.gguf?url';
import { describe, expect, it } from 'vitest';
import { deleteGguf, downloadGguf, listGgufs, openGguf, saveGguf } from '../../src/lib/engines/local/ggufStore';
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
});
