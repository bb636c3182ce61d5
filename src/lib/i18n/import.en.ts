/** English UI strings of the import dialog's reading choices: encoding, delimiter, unwrapped JSON (spread into en.ts; every key must exist in import.zh.ts). */
export const importEn = {
  'import.encoding': 'Encoding',
  'import.delimiter': 'Delimiter',
  'import.detected': 'Detected: {value}',
  'import.unwrapped': 'Records read from the field “{field}” of the file’s one object.',
  'encoding.utf-8': 'UTF-8',
  'encoding.utf-16le': 'UTF-16 LE',
  'encoding.utf-16be': 'UTF-16 BE',
  'encoding.gb18030': 'GB18030 / GBK (Simplified Chinese)',
  'encoding.big5': 'Big5 (Traditional Chinese)',
  'encoding.windows-1252': 'Windows-1252 (Western European)',
  'encoding.shift_jis': 'Shift_JIS (Japanese)',
  'encoding.euc-kr': 'EUC-KR (Korean)',
  'delimiter.,': 'Comma ,',
  'delimiter.;': 'Semicolon ;',
  'delimiter.\t': 'Tab',
  'delimiter.|': 'Pipe |',
};
