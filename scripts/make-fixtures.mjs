// Writes the deterministic test fixtures in tests/fixtures. Run: node scripts/make-fixtures.mjs
// The files are committed; this script documents how they were made and can remake them.
import { writeFileSync } from 'node:fs';

const dir = new URL('../tests/fixtures/', import.meta.url);

// 175 tasks in the layout of Self-Instruct's seed_tasks.jsonl (id, name, instruction,
// instances[{input, output}], is_classification). Every 7th task has two instances.
const verbs = ['Explain', 'Summarize', 'List three facts about', 'Write a short poem about', 'Give advice on',
  'Compare two approaches to', 'Describe the history of'];
const topics = ['photosynthesis', 'compound interest', 'the French Revolution', 'binary search', 'sleep hygiene',
  'volcanoes', 'public speaking', 'the water cycle', 'machine translation', 'bread baking', 'plate tectonics',
  'supply and demand', 'vaccines', 'recursion', 'the Silk Road', 'climate change', 'chess openings', 'jazz',
  'black holes', 'time management', 'contract law', 'blood pressure', 'solar panels', 'ancient Rome', 'tea'];
const lines = [];
for (let i = 0; i < 175; i++) {
  const verb = verbs[i % verbs.length];
  const topic = topics[Math.floor(i / verbs.length) % topics.length];
  const instances = [{ input: '', output: `${verb} ${topic}: a model answer number ${i}.` }];
  if (i % 7 === 3) instances.push({ input: `Audience: group ${i}`, output: `An answer tailored for group ${i}.` });
  lines.push(JSON.stringify({
    id: `seed_task_${i}`,
    name: `${verb.toLowerCase().replace(/\W+/g, '_')}_${topic.replace(/\W+/g, '_')}`,
    instruction: `${verb} ${topic}.`,
    instances,
    is_classification: i % 11 === 0,
  }));
}
writeFileSync(new URL('self-instruct-seed-tasks.jsonl', dir), lines.join('\n') + '\n');

// 175 Chinese Alpaca-style seeds saved as JSON Lines in a file named .json.
const zhVerbs = ['解释', '总结', '列举三个关于', '写一首短诗描写', '给出建议：如何理解', '比较两种方法来处理', '简述'];
const zhTopics = ['光合作用', '复利', '高血压的日常管理', '二分查找', '睡眠卫生', '火山', '演讲技巧', '水循环', '机器翻译',
  '面包烘焙', '板块构造', '供求关系', '疫苗', '递归', '丝绸之路', '气候变化', '合同法中的违约责任', '爵士乐', '黑洞',
  '时间管理', '劳动合同', '血糖监测', '太阳能电池板', '古罗马', '茶文化'];
const zh = [];
for (let i = 0; i < 175; i++) {
  const v = zhVerbs[i % zhVerbs.length];
  const t = zhTopics[Math.floor(i / zhVerbs.length) % zhTopics.length];
  zh.push(JSON.stringify({ instruction: `${v}${t}的要点（第${i + 1}题）。`, input: '', output: `关于${t}的参考回答，编号 ${i + 1}。` }));
}
writeFileSync(new URL('zh-alpaca.json', dir), zh.join('\n') + '\n');

// CSV with RFC 4180 quoting: commas, doubled quotes and a line break inside quoted fields.
writeFileSync(new URL('prompts.csv', dir), [
  'prompt,response,tags',
  '"Translate ""hello"" into French","Bonjour","translation,fr"',
  'Name a prime number,7,math',
  '"Write two lines,\nthen stop","Line one\nLine two",writing',
  'What is 2+2?,4,math',
  '',
].join('\r\n'));

// JSON Lines with broken lines at known line numbers (3, 5, 6).
writeFileSync(new URL('broken.jsonl', dir), [
  '{"instruction": "Good one", "output": "ok"}',
  '{"instruction": "Good two", "output": "ok"}',
  '{"instruction": "Broken, missing quote, "output": "x"}',
  '{"instruction": "Good three", "output": "ok"}',
  '["not", "an", "object"]',
  '{"instruction": "", "output": "no instruction"}',
  '',
].join('\n'));

// Files as Excel outside the English-speaking world saves them (issue 18, items 8–10). Node has
// decoders for the legacy code pages but no encoders: invert the decoder over every double-byte
// sequence (and every single byte, for Windows-1252) instead of committing bytes made elsewhere.
function legacyEncoder(label) {
  const decoder = new TextDecoder(label, { fatal: true });
  const table = new Map();
  const learn = (bytes) => {
    let ch;
    try {
      ch = decoder.decode(Uint8Array.from(bytes));
    } catch {
      return;
    }
    if ([...ch].length === 1 && !table.has(ch)) table.set(ch, bytes);
  };
  for (let b = 0x80; b <= 0xff; b++) learn([b]);
  for (let lead = 0x81; lead <= 0xfe; lead++) for (let trail = 0x40; trail <= 0xfe; trail++) learn([lead, trail]);
  return (text) => {
    const out = [];
    for (const ch of text) {
      const c = ch.codePointAt(0);
      if (c < 0x80) out.push(c);
      else if (table.has(ch)) out.push(...table.get(ch));
      else throw new Error(`${label} has no code for ${ch}`);
    }
    return Uint8Array.from(out);
  };
}
const crlf = (rows) => rows.join('\r\n') + '\r\n';

// Simplified Chinese Q&A as mainland Excel saves "CSV (逗号分隔)": GB18030, CRLF, an ASCII id first.
const zhQa = [['id', '问题', '答案']];
for (let i = 0; i < 24; i++) {
  const t = zhTopics[i % zhTopics.length];
  zhQa.push([`q${i + 1}`, `请简要解释${t}是什么？`, `${t}的核心要点：第${i + 1}条说明，供参考。`]);
}
writeFileSync(new URL('zh-gb18030.csv', dir), legacyEncoder('gb18030')(crlf(zhQa.map((r) => r.join(',')))));

// Traditional Chinese as Excel in Taiwan saves it: Big5.
const twTopics = ['光合作用', '複利', '二分搜尋', '睡眠衛生', '火山', '演講技巧', '水循環', '機器翻譯', '麵包烘焙', '板塊構造',
  '供需關係', '疫苗', '遞迴', '絲路', '氣候變遷', '爵士樂', '黑洞', '時間管理', '勞動契約', '太陽能板'];
const twQa = [['問題', '答案']];
for (let i = 0; i < 20; i++) twQa.push([`請說明${twTopics[i]}的重點。`, `關於${twTopics[i]}的參考答案，第${i + 1}題。`]);
writeFileSync(new URL('zh-big5.csv', dir), legacyEncoder('big5')(crlf(twQa.map((r) => r.join(',')))));

// UTF-8 with a BOM, as Excel's "CSV UTF-8" saves it.
writeFileSync(new URL('utf8-bom.csv', dir), '\uFEFF' + crlf(['instruction,output', '翻译“你好”,Hello', 'Say “hi” in German,Hallo']));

// European-locale Excel: `;` between fields (the comma is the decimal mark), Windows-1252 bytes.
writeFileSync(new URL('eu-semicolon.csv', dir), legacyEncoder('windows-1252')(crlf([
  'frage;antwort;preis',
  'Was kostet ein Café au lait in Zürich?;Etwa 5,50 Franken.;5,50',
  'Wie heißt die Hauptstadt von Österreich?;Wien.;0',
  '"Nenne zwei Städte; getrennt durch Semikolon";"Köln; Bonn";0',
])));

// Records wrapped in an object with a version: on one line (named .jsonl), and pretty-printed.
const wrapped = { version: '2.1', data: [
  { instruction: 'Name a primary colour.', output: 'Red.' },
  { instruction: 'Name a prime number.', output: '7' },
  { instruction: 'Translate "cat" into French.', output: 'Chat.' },
] };
writeFileSync(new URL('wrapped.jsonl', dir), JSON.stringify(wrapped) + '\n');
writeFileSync(new URL('wrapped.json', dir), JSON.stringify(wrapped, null, 2) + '\n');
