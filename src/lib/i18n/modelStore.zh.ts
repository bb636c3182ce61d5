import type { modelStoreEn } from './modelStore.en';

/** 本地模型存储、本地服务器预设与连接检查、CPU 速度、通用确认对话框的中文文本（键与 modelStore.en.ts 一致）。 */
export const modelStoreZh: Record<keyof typeof modelStoreEn, string> = {
  'confirm.ok': '确定',
};
