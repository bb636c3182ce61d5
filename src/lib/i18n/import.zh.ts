import type { importEn } from './import.en';

/** 导入对话框中读取选项（编码、分隔符、解包的 JSON）的中文界面文字（展开到 zh.ts；键与 import.en.ts 一一对应）。 */
export const importZh: Record<keyof typeof importEn, string> = {
  'import.encoding': '编码',
  'import.delimiter': '分隔符',
  'import.detected': '检测结果：{value}',
  'import.unwrapped': '记录取自文件中唯一对象的字段“{field}”。',
  'encoding.utf-8': 'UTF-8',
  'encoding.utf-16le': 'UTF-16 LE',
  'encoding.utf-16be': 'UTF-16 BE',
  'encoding.gb18030': 'GB18030 / GBK（简体中文）',
  'encoding.big5': 'Big5（繁体中文）',
  'encoding.windows-1252': 'Windows-1252（西欧）',
  'encoding.shift_jis': 'Shift_JIS（日文）',
  'encoding.euc-kr': 'EUC-KR（韩文）',
  'delimiter.,': '逗号 ,',
  'delimiter.;': '分号 ;',
  'delimiter.\t': '制表符',
  'delimiter.|': '竖线 |',
};
