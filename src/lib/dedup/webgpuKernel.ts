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

/** Rows of A per dispatch: bounds one dispatch's work (a GPU watchdog kills long ones). */
const ROWS_PER_DISPATCH = 512;

/**
 * The WebGPU kernel: the float32 dots on the GPU, screened against the proven lower bound less
 * float32 rounding (at most d·2^-24 relative for a sum of d products), then every candidate
 * decided on the CPU by the canonical rule, so it returns exactly the JS kernel's pairs.
 * @throws {DedupError} NoWebGpuError without an adapter or when the device is lost;
 * DedupOutOfMemoryError when the vectors exceed the device's largest storage buffer;
 * DedupInputError for bad vectors.
 */
export async function webgpuFindPairs(v: Vectors, options: SemanticOptions = {}, onProgress?: (p: DedupProgress) => void): Promise<PairList> {
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
    for (let r0 = 0; r0 < n; ) {
      const aN = Math.min(ROWS_PER_DISPATCH, n - r0);
      const bStart = Math.max(r0, m);
      const bN = n - bStart;
      if (bN <= 0) break;
      const size = 4 + cap * 8;
      outBuf ??= device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      readBuf ??= device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const pv = new ArrayBuffer(32);
      new Uint32Array(pv, 0, 5).set([r0, bStart, aN, bN, d4]);
      new Int32Array(pv, 20, 1)[0] = r0 - bStart;
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
      const count = got[0]!;
      if (count > cap) {
        // Too many candidates for the buffer: grow it and redo this chunk.
        cap = count;
        outBuf.destroy();
        readBuf.destroy();
        outBuf = readBuf = null;
        continue;
      }
      for (let k = 0; k < count; k++) cand.push(r0 + got[1 + 2 * k]!, bStart + got[2 + 2 * k]!);
      r0 += aN;
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
