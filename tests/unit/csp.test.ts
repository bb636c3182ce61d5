import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders } from '../../vite.config';

const directives = (p: string) => new Map(p.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));

describe('the Content-Security-Policy', () => {
  const d = directives(contentSecurityPolicy);
  it('runs no inline or eval-ed script, only the app\'s own code and WebAssembly', () => {
    expect(d.get('script-src')).toEqual(["'self'", 'blob:', "'wasm-unsafe-eval'"]);
    expect(contentSecurityPolicy).not.toContain("'unsafe-eval'");
    // No wildcard source anywhere (a port wildcard on localhost is not one).
    expect([...d.values()].flat().filter((s) => s === '*' || s.startsWith('*.') || s.startsWith('https://*'))).toEqual([]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('base-uri')).toEqual(["'self'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
  });
  it('as a header, also forbids framing and keeps the isolation headers', () => {
    expect(securityHeaders['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(securityHeaders['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(securityHeaders['Cross-Origin-Opener-Policy']).toBe('same-origin');
  });
});
