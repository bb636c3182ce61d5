import type { upgradeEn } from './upgrade.en';

/** 另一个标签页升级存储数据（db/versionChange.ts）时的中文：新标签页启动时的等待、旧标签页的横幅和被暂停的运行。 */
export const upgradeZh: Record<keyof typeof upgradeEn, string> = {
  'upgrade.waiting': '正在等待另一个 Seedforge 标签页：它运行的是旧版本，已请它关闭与你的数据的连接，以便本版本升级数据。如果此消息一直存在，请关闭或重新加载那个标签页。',
  'upgrade.closed': 'Seedforge 已在另一个标签页中更新，正在升级你存储的数据：此标签页已关闭与数据的连接，无法再读取或保存。请重新加载此标签页以继续。',
  'upgrade.closedRun': '运行已暂停，已完成的条目都已保存：重新加载后点击“继续”即可。',
  'upgrade.pausing': '正在暂停运行…',
  'upgrade.reload': '重新加载',
  'upgrade.runPaused': '因另一个标签页打开了更新版本的 Seedforge 而暂停：请重新加载此标签页，然后点击“继续”。',
};
