import { DedupError } from './errors';
import { CandidateList, verifyCandidates } from './pairs';
import { DEFAULT_THRESHOLD, screenLowerBound, thresholdF32 } from './threshold';
import type { DedupProgress, PairList, SemanticOptions, Vectors } from './types';
import { checkVectors } from './vectors';

/**
 * 16×16 pairs per workgroup; each invocation owns one pair. Rows and columns are staged through
 * workgroup memory 16 vec4s (64 numbers) at a time. Tiles entirely on or below the diagonal return
 * at once (the test depends only on the workgroup id and uniforms, so barriers stay uniform).
 * A pair whose float32 dot reaches `thr` is appended to `out` through an atomic counter (out[0]).
 */
export const SCREEN_WGSL = /* wgsl */ `
struct Params { aOff: u32, bOff: u32, aN: u32, bN: u32, d4: u32, diag: i32, thr: f32, cap: u32 }
@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> outBuf: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> p: Params;
var<workgroup> ta: array<vec4<f32>, 256>;
var<workgroup> tb: array<vec4<f32>, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let r0 = wg.y * 16u;
  let c0 = wg.x * 16u;
  if (i32(c0 + 15u) <= i32(r0) + p.diag) { return; }
  let row = r0 + l.y;
  let col = c0 + l.x;
  let crow = c0 + l.y;
  var acc = 0.0;
  for (var k0 = 0u; k0 < p.d4; k0 = k0 + 16u) {
    let kk = k0 + l.x;
    let inK = kk < p.d4;
    ta[l.y * 16u + l.x] = select(vec4<f32>(0.0), X[(p.aOff + min(row, p.aN - 1u)) * p.d4 + min(kk, p.d4 - 1u)], row < p.aN && inK);
    tb[l.y * 16u + l.x] = select(vec4<f32>(0.0), X[(p.bOff + min(crow, p.bN - 1u)) * p.d4 + min(kk, p.d4 - 1u)], crow < p.bN && inK);
    workgroupBarrier();
    for (var t = 0u; t < 16u; t = t + 1u) {
      acc = acc + dot(ta[l.y * 16u + t], tb[l.x * 16u + t]);
    }
    workgroupBarrier();
  }
  if (row < p.aN && col < p.bN && i32(col) > i32(row) + p.diag && acc >= p.thr) {
    let idx = atomicAdd(&outBuf[0], 1u);
    if (idx < p.cap) {
      atomicStore(&outBuf[1u + 2u * idx], row);
      atomicStore(&outBuf[2u + 2u * idx], col);
    }
  }
}`;

/**
 * How much one dispatch does, in vec4 dot products (pairs × d/4). A GPU watchdog kills a dispatch
 * that runs for seconds (Chromium's SwiftShader, on the CPU, ran ~30 M vec4 dots a second and its
 * GPU process was killed at 5k × 384 with 512-row dispatches), so the work per dispatch adapts:
 * after each, the budget is scaled toward `targetMs` of wall time (at most ×4 or ÷4 a step).
 */
export interface GpuDispatchTuning {
  /** The first dispatch's budget (default 2^22: ~10 ms on a slow integrated GPU, ~0.2 s on SwiftShader). */
  budget?: number;
  /** Wall time aimed at per dispatch, readback included (default 200 ms). */
  targetMs?: number;
  /** The budget's bounds (default 2^14 … 2^31). */
  minBudget?: number;
  maxBudget?: number;
}

/**
 * The next chunk of the upper triangle: `rows` rows from r0 (a multiple of 16, 16 … 4096) and
 * columns [c0, c1) of the b range, within `budget` vec4 dots where possible; a row block too wide
 * for the budget even at 16 rows, or wider than one dispatch can cover, is cut into column chunks
 * (multiples of 16, at least 256).
 */
export function nextChunk(n: number, r0: number, c0: number, d4: number, budget: number): { rows: number; c1: number } {
  const width = n - c0;
  const rowsFit = Math.floor(budget / Math.max(1, width * d4) / 16) * 16;
  const rows = Math.min(n - r0, Math.max(16, Math.min(4096, rowsFit)));
  if (rowsFit >= 16 && width <= MAX_DISPATCH_COLS) return { rows, c1: n };
  const cols = rowsFit >= 16 ? MAX_DISPATCH_COLS : Math.min(MAX_DISPATCH_COLS, Math.max(256, Math.floor(budget / (16 * d4) / 16) * 16));
  return { rows, c1: Math.min(n, c0 + cols) };
}

/** Columns one dispatch can cover: 16 per workgroup, at most 65,535 workgroups in x (WebGPU's limit). */
export const MAX_DISPATCH_COLS = 65535 * 16;

export async function webgpuFindPairs(v: Vectors, options: SemanticOptions = {}, onProgress?: (p: DedupProgress) => void, tuning: GpuDispatchTuning = {}): Promise<PairList> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const m = options.existingCount ?? 0;
  const stats = checkVectors(v, threshold);
  const t32 = thresholdF32(threshold);
  const { n, d } = v;
  const d4 = Math.ceil(d / 4);
  const gamma = (1.01 * d * 2 ** -24) / (1 - d * 2 ** -24);
  const thr = Math.fround(screenLowerBound(t32, stats.minNorm) - gamma * stats.maxNorm * stats.maxNorm - 1e-7);
  onProgress?.({ phase: 'prepare' });
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new DedupError('NoWebGpuError', 'This browser has no WebGPU adapter: use the WebAssembly kernel.');
  const bytes = n * d4 * 16;
  if (bytes > adapter.limits.maxStorageBufferBindingSize || bytes > adapter.limits.maxBufferSize) {
    throw new DedupError('DedupOutOfMemoryError', `The GPU takes at most ${(adapter.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MB of vectors at once: use the WebAssembly kernel for this many items.`);
  }
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: Math.max(bytes, 4), maxBufferSize: Math.max(bytes, 4) },
  });
  let lost = false;
  void device.lost.then(() => (lost = true));
  try {
    // Rows padded to a multiple of 4 numbers (vec4) with zeros.
    const padded = d4 * 4 === d ? v.data : new Float32Array(n * d4 * 4);
    if (padded !== v.data) for (let i = 0; i < n; i++) padded.set(v.data.subarray(i * d, (i + 1) * d), i * d4 * 4);
    const xBuf = device.createBuffer({ size: Math.max(bytes, 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(xBuf, 0, padded.buffer, padded.byteOffset, bytes);
    const module = device.createShaderModule({ code: SCREEN_WGSL });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const params = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    let cap = 1 << 16;
    let outBuf: GPUBuffer | null = null;
    let readBuf: GPUBuffer | null = null;
    const cand = new CandidateList();
    onProgress?.({ phase: 'screen', done: 0, total: n });
    let budget = tuning.budget ?? 2 ** 22;
    const targetMs = tuning.targetMs ?? 200;
    const [minBudget, maxBudget] = [tuning.minBudget ?? 2 ** 14, tuning.maxBudget ?? 2 ** 31];
    // Row blocks from r0; within one, column chunks [c0, c1) of the columns from bStart.
    let r0 = 0;
    let c0 = -1;
    let rows = 0;
    while (r0 < n) {
      const bStart = Math.max(r0, m);
      if (bStart >= n) break;
      if (c0 < 0) {
        c0 = bStart;
        rows = nextChunk(n, r0, c0, d4, budget).rows;
      }
      const aN = rows;
      const c1 = nextChunk(n, r0, c0, d4, budget).c1;
      const bN = c1 - c0;
      const size = 4 + cap * 8;
      outBuf ??= device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      readBuf ??= device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const pv = new ArrayBuffer(32);
      new Uint32Array(pv, 0, 5).set([r0, c0, aN, bN, d4]);
      // A pair (row, col) of this chunk is above the diagonal when c0 + col > r0 + row.
      new Int32Array(pv, 20, 1)[0] = r0 - c0;
      new Float32Array(pv, 24, 1)[0] = thr;
      new Uint32Array(pv, 28, 1)[0] = cap;
      device.queue.writeBuffer(params, 0, pv);
      device.queue.writeBuffer(outBuf, 0, new Uint32Array([0]));
      const bind = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: xBuf } },
          { binding: 1, resource: { buffer: outBuf } },
          { binding: 2, resource: { buffer: params } },
        ],
      });
      const t0 = performance.now();
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(Math.ceil(bN / 16), Math.ceil(aN / 16));
      pass.end();
      enc.copyBufferToBuffer(outBuf, 0, readBuf, 0, size);
      device.queue.submit([enc.finish()]);
      await readBuf.mapAsync(GPUMapMode.READ);
      if (lost) throw new DedupError('NoWebGpuError', 'The GPU device was lost during dedup: retry, or use the WebAssembly kernel.');
      const got = new Uint32Array(readBuf.getMappedRange().slice(0));
      readBuf.unmap();
      const elapsed = performance.now() - t0;
      // Scale the work per dispatch by the time this one took (the triangle's tiles below the
      // diagonal are skipped, so count only the pairs above it).
      const above = Math.max(1, aN * bN - (c0 <= r0 ? Math.min(aN, bN) ** 2 / 2 : 0));
      const rate = (above * d4) / Math.max(elapsed, 1);
      budget = Math.min(maxBudget, Math.max(minBudget, Math.min(budget * 4, Math.max(budget / 4, rate * targetMs))));
      const count = got[0]!;
      if (count > cap) {
        // Too many candidates for the buffer: grow it and redo this chunk.
        cap = count;
        outBuf.destroy();
        readBuf.destroy();
        outBuf = readBuf = null;
        continue;
      }
      for (let k = 0; k < count; k++) cand.push(r0 + got[1 + 2 * k]!, c0 + got[2 + 2 * k]!);
      if (c1 < n) {
        c0 = c1;
        continue;
      }
      r0 += aN;
      c0 = -1;
      onProgress?.({ phase: 'screen', done: r0, total: n });
    }
    onProgress?.({ phase: 'screen', done: n, total: n });
    onProgress?.({ phase: 'verify', candidates: cand.length });
    const pairs = verifyCandidates(v.data, d, stats.norms2, t32, cand, m);
    onProgress?.({ phase: 'done', pairs: pairs.a.length });
    return pairs;
  } finally {
    device.destroy();
  }
}
