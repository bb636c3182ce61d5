import type { safetyEn } from './safety.en';

/** safety 功能的中文界面文本（并入 zh.ts；键与 safety.en.ts 一一对应）。 */
export const safetyZh: Record<keyof typeof safetyEn, string> = {
  // xss
  'xss.outputView': '答案显示方式',
  'xss.asText': '纯文本',
  'xss.asMarkdown': 'Markdown',
  'xss.markdownHint': '格式化并经过净化：链接在新标签页打开，图片不会加载（显示其描述），HTML 按文本显示。',
  // air gap
  'airgap.title': '隔离模式（断网）',
  'airgap.help': '开启后，Seedforge 不会向任何其他源发送请求：远程 API、从 Hugging Face 或镜像下载模型、WebLLM 下载都会被禁用。本地 GGUF 文件、由本应用提供的模型文件夹以及内置的嵌入模型仍可使用。Service Worker 还会拦截任何仍试图访问其他源的请求。',
  'airgap.toggle': '隔离模式：任何请求都不离开本站',
  'airgap.badge': '已隔离',
  'airgap.badgeTitle': '隔离模式已开启：不会向其他源发送任何数据。可在设置中更改。',
  'airgap.on': '隔离模式已开启。',
  'airgap.off': '隔离模式已关闭。',
  'airgap.swMissing': '此标签页中的离线 Service Worker 尚未生效（首次访问、无痕窗口或开发服务器），目前只有应用本身在执行隔离：请刷新一次，让 Service Worker 拦截每个请求。',
  'airgap.disabledHere': '隔离模式下不可用：这会访问其他源。',
  'engineError.AirGappedError': '隔离模式已开启，而此操作会访问其他源：请使用本地 GGUF 文件或由本应用提供的模型文件夹，或在设置中关闭隔离模式。',
  // pwa
  'pwa.updateReady': 'Seedforge 有新版本可用。',
  'pwa.reload': '刷新以更新',
  'pwa.updateBusy': '新版本已就绪；当没有运行中的任务时会再次提示。',
  'pwa.offlineReady': 'Seedforge 现在可以离线使用。',
};
