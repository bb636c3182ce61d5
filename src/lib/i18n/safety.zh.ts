import type { safetyEn } from './safety.en';

/** safety 功能的中文界面文本（并入 zh.ts；键与 safety.en.ts 一一对应）。 */
export const safetyZh: Record<keyof typeof safetyEn, string> = {
  'safety.storage.title': '存储与数据安全',
  'safety.storage.usage': '本站已使用 {used}，浏览器允许的上限为 {quota}（{pct} %）。',
  'safety.storage.unknown': '此浏览器不报告本站使用了多少存储空间。',
  'safety.storage.nearlyFull': '存储空间快满了：满了以后运行会停止。请先导出需要的内容，再删除旧的运行、项目或已下载的模型。',
  'safety.storage.whatUses': '种子、运行、样本、缓存的向量和下载的模型都会占用空间。数据不会离开此浏览器；如需在别处保留副本，请导出项目。',
  'safety.storage.refresh': '刷新',
  'safety.storage.error': '浏览器没有返回存储信息（{reason}）。',
  'safety.persist.title': '保留我的数据',
  'safety.persist.why': '除非网站的存储是持久的，否则浏览器在磁盘空间不足时可能自行删除网站数据。这里的一切只保存在此浏览器中，所以请申请持久存储：浏览器会一直保留你的种子和运行，直到你自己删除。',
  'safety.persist.on': '存储是持久的：浏览器不会清除本站数据。',
  'safety.persist.off': '存储是尽力而为的：磁盘空间不足时浏览器可能清除本站数据。',
  'safety.persist.ask': '请求浏览器保留我的数据',
  'safety.persist.granted': '已批准：本站数据现在是持久存储。',
  'safety.persist.denied': '浏览器拒绝了（Chromium 根据你使用本站的频率、书签或是否安装为应用来决定；Firefox 会询问你）。数据目前仍在，但请为重要项目导出备份。',
  'safety.persist.unsupported': '此浏览器无法使存储持久化：请为重要项目导出备份。',
  'safety.run.otherTab': '此项目的流水线正在另一个标签页中运行。这里显示它的进度；运行结束后可以再开始或继续。',
  'safety.run.remote': '正在另一个标签页中运行',
  'safety.run.locked': '另一个标签页已先开始运行此项目：同一时间只有一个标签页运行同一项目的流水线。可以在这里查看进度，或切换到那个标签页。',
  'safety.quota.run': '此浏览器为本站提供的存储空间已满。正在处理的条目没有保存（不会留下写了一半的数据），运行已暂停。请释放空间——先导出需要的内容，再删除旧的运行、项目或已下载的模型——然后点击“继续”。',
  'safety.quota.settings': '在设置中查看存储用量',
};
