import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test server on 127.0.0.1 with Hugging Face's URL layout: `/<owner>/<repo>/resolve/<rev>/<file>`
 * answers 302 to a CDN-like path (`/cdn/<owner>/<repo>/<file>`) as huggingface.co does, and
 * the CDN path serves the bytes with `Accept-Ranges`, an ETag and 206 answers to `Range:
 * bytes=N-`. CORS and `Cross-Origin-Resource-Policy: cross-origin` let a cross-origin-isolated
 * page (COEP require-corp) read it.
 *
 * Faults, chosen per request by a path prefix `/m/<mode>[,<mode>…]` before the repo (use
 * `${url}/m/drop-65536` as the mirror's base URL):
 *   drop-<n>   each response sends at most n bytes of its body, stalls 300 ms, then the connection is destroyed
 *   norange    Range is ignored: 200 with the whole file (servers and proxies that do this exist)
 *   slow-<n>   the body is sent at about n bytes a second
 * `GET /__mode?drop=<n>&norange=1&slow=<n>` sets modes for every request until the next
 * `GET /__mode` (what a browser test uses to break the server between two download attempts).
 * `GET /__log` lists the requests seen ({path, range, status}); `GET /__reset` clears the list.
 */
export interface HfServer {
  url: string;
  requests: { path: string; range: string | null; status: number }[];
  /** Serves `bytes` (or the file at a path) at `<repo>/resolve/main/<file>`. */
  serve(repo: string, file: string, content: string | Uint8Array): void;
  close(): Promise<void>;
}

export async function startHfServer(opts: { files?: Record<string, string | Uint8Array>; port?: number } = {}): Promise<HfServer> {
  const files = new Map<string, { bytes: Buffer; etag: string }>();
  const put = (key: string, content: string | Uint8Array) => {
    const bytes = typeof content === 'string' ? readFileSync(content) : Buffer.from(content);
    files.set(key, { bytes, etag: `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"` });
  };
  for (const [k, v] of Object.entries(opts.files ?? {})) put(k, v);

  let globalModes = new Map<string, number>();
  const state: HfServer = {
    url: '',
    requests: [],
    serve: (repo, file, content) => put(`${repo}/${file}`, content),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };

  const cors = (res: ServerResponse) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'range, if-range, cache-control');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, Accept-Ranges');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    cors(res);
    const url = new URL(req.url ?? '/', 'http://x');
    let path = decodeURIComponent(url.pathname);
    const log = { path, range: (req.headers.range as string | undefined) ?? null, status: 0 };
    const answer = (status: number, headers: Record<string, string | number> = {}, body?: string) => {
      log.status = status;
      res.writeHead(status, headers).end(body);
    };
    if (req.method === 'OPTIONS') return answer(204);
    if (path === '/__log') return answer(200, { 'content-type': 'application/json' }, JSON.stringify(state.requests));
    if (path === '/__mode') {
      globalModes = new Map([...url.searchParams].map(([k, v]) => [k, Number(v) || 1]));
      return answer(204);
    }
    if (path === '/__reset') {
      state.requests = [];
      return answer(204);
    }
    state.requests.push(log);

    let prefix = '';
    const modes = new Map(globalModes);
    const m = /^\/m\/([^/]+)(\/.*)$/.exec(path);
    if (m) {
      prefix = `/m/${m[1]}`;
      path = m[2]!;
      for (const part of m[1]!.split(',')) {
        const [k, v] = part.split(/-(?=\d+$)/);
        modes.set(k!, Number(v ?? 1));
      }
    }

    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(path);
    if (resolve) {
      const key = `${resolve[1]}/${resolve[2]}`;
      if (!files.has(key)) return answer(404, { 'content-type': 'text/plain' }, 'Entry not found');
      // Like huggingface.co: a redirect to the file's storage, which answers the Range request.
      return answer(302, { location: `${prefix}/cdn/${key}` });
    }
    const cdn = /^\/cdn\/(.+)$/.exec(path);
    const f = cdn ? files.get(cdn[1]!) : undefined;
    if (!f) return answer(404, { 'content-type': 'text/plain' }, 'Entry not found');

    const size = f.bytes.length;
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const base = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', etag: f.etag };
    let start = 0;
    if (range && !modes.has('norange')) {
      start = Number(range[1]);
      if (start >= size) return answer(416, { ...base, 'content-range': `bytes */${size}` });
      log.status = 206;
      res.writeHead(206, { ...base, 'content-length': size - start, 'content-range': `bytes ${start}-${size - 1}/${size}` });
    } else {
      log.status = 200;
      res.writeHead(200, { ...base, 'content-length': size });
    }
    if (req.method === 'HEAD') return void res.end();
    const body = f.bytes.subarray(start);
    const drop = modes.get('drop');
    const limit = drop !== undefined ? Math.min(drop, body.length) : body.length;
    const perSecond = modes.get('slow');
    const chunk = perSecond ? Math.max(1024, Math.floor(perSecond / 10)) : 256 * 1024;
    let sent = 0;
    const pump = () => {
      if (res.destroyed) return;
      if (sent >= limit) {
        // A connection that stalls, then dies: the client has read what came (Chromium drops
        // bytes still unread in its pipe when the connection errors, as a real drop would too).
        if (limit < body.length) setTimeout(() => res.socket?.destroy(), 300);
        else res.end();
        return;
      }
      const n = Math.min(chunk, limit - sent);
      sent += n;
      // The next write waits for this one to reach the socket, so that a drop comes after it.
      res.write(body.subarray(sent - n, sent), () => (perSecond ? setTimeout(pump, 100) : pump()));
    };
    pump();
  });

  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
