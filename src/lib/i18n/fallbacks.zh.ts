import type { fallbacksEn } from './fallbacks.en';

/** 回退（某部分在此无法运行，改用其他部分）与估算下载数字的中文文案。 */
export const fallbacksZh: Record<keyof typeof fallbacksEn, string> = {
  'fallback.encoder': '正在使用 onnxruntime-web 而非 Seedforge 自带的编码器（较慢），原因：{reason}',
  'fallback.gpu': '正在使用 WebAssembly（CPU）而非 WebGPU，原因：{reason}',
  'fallback.kernel': '正在使用 JavaScript 内核而非 WebAssembly 内核进行比较（较慢），原因：{reason}',
  'load.downloadEstimated': '正在下载 ≈{done} / ≈{total} MB，≈{speed} MB/s，约剩 {eta} 秒（按已完成比例与模型标称大小估算）',
};
