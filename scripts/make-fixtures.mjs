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
