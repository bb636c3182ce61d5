import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Issue 13, item 8: `npm start` builds, serves with cross-origin isolation, and ends with one line
 * that says where the app runs and how to stop it — no warning a user cannot act on.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const OUT = 'dist-start-test';

afterAll(() => rmSync(new URL(`../../${OUT}`, import.meta.url), { recursive: true, force: true }));

describe('npm start', () => {
  it('prints only where the app runs and how to stop it, serves it isolated, and stops on Ctrl+C', async () => {
    let url = '';
    const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, PORT: '4391', SEEDFORGE_DIST: OUT, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
    try {
      url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /Seedforge is running at (http:\/\/\S+) — press Ctrl\+C to stop/.exec(output);
          if (m) {
            clearInterval(timer);
            resolve(m[1]!);
          }
        }, 200);
        void exited.then(() => reject(new Error(`npm start exited early:\n${output}`)));
      });
      // npm's own two-line banner ("> seedforge@… start", "> node scripts/start.mjs") aside, one line.
      const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('> '));
      expect(lines, output).toEqual([`Seedforge is running at ${url} — press Ctrl+C to stop`]);

      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await res.text()).toContain('<div id="app"');
    } finally {
      // Ctrl+C reaches the whole process group in a terminal: npm and the node script under it.
      if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    }
    // npm ends as a program stopped by Ctrl+C does (by the signal, or 0), and the server is gone with it.
    const end = await exited;
    expect(end.code === 0 || end.signal === 'SIGINT', JSON.stringify(end)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    await expect(fetch(url)).rejects.toThrow();
  }, 600_000);
});
