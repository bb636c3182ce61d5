import type { cardEn } from './card.en';

/** 导出页面上数据集卡片设置的中文界面文字（展开到 zh.ts；键与 card.en.ts 一一对应）。 */
export const cardZh: Record<keyof typeof cardEn, string> = {
  'card.settings': '数据集卡片的内容',
  'card.license': '许可证',
  'card.licenseHelp': '按 Hugging Face 的格式写入卡片头部。请选择你有权授予的许可证：种子的来源和模型的使用条款都会限制它。',
  'card.description': '描述',
  'card.descriptionHelp': '说明数据的用途和制作方式，写在卡片标题下方。随本项目一起保存。',
  'card.saved': '已为本项目保存。',
  'card.license.apache-2.0': 'Apache 许可证 2.0（apache-2.0）',
  'card.license.mit': 'MIT 许可证（mit）',
  'card.license.cc-by-4.0': '知识共享 署名 4.0（cc-by-4.0）',
  'card.license.cc-by-sa-4.0': '知识共享 署名-相同方式共享 4.0（cc-by-sa-4.0）',
  'card.license.cc-by-nc-4.0': '知识共享 署名-非商业性使用 4.0（cc-by-nc-4.0）',
  'card.license.cc-by-nc-sa-4.0': '知识共享 署名-非商业性使用-相同方式共享 4.0（cc-by-nc-sa-4.0）',
  'card.license.cc0-1.0': '知识共享 CC0，公有领域（cc0-1.0）',
  'card.license.odc-by': '开放数据共享 署名许可（odc-by）',
  'card.license.odbl': '开放数据库许可（odbl）',
  'card.license.openrail': 'Open RAIL 许可（openrail）',
  'card.license.llama3.2': 'Llama 3.2 社区许可（llama3.2）',
  'card.license.llama3.1': 'Llama 3.1 社区许可（llama3.1）',
  'card.license.gemma': 'Gemma 使用条款（gemma）',
  'card.license.other': '其他或尚未决定（other）',
};
