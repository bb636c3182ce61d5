/**
 * Strict format checks for exported files, written from the formats' own documentation, not
 * from our exporter: a file that passes is one that OpenAI's fine-tuning upload and Alpaca
 * loaders accept. Each returns the problems found (empty: valid).
 */

/**
 * OpenAI fine-tuning chat JSONL: every non-empty line is `{"messages":[...]}` with no other key;
 * each message is `{role, content}` with a string content; an optional first `system`, then
 * `user` and `assistant` alternating, starting with `user` and ending with `assistant`; no empty
 * content.
 */
export function checkOpenAiJsonl(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (!lines.length) problems.push('no lines');
  lines.forEach((line, i) => {
    const at = `line ${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      problems.push(`${at}: not JSON`);
      return;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return problems.push(`${at}: not an object`);
    const keys = Object.keys(v);
    if (keys.length !== 1 || keys[0] !== 'messages') return problems.push(`${at}: keys ${keys.join(',')} (only "messages" allowed)`);
    const msgs = (v as { messages: unknown }).messages;
    if (!Array.isArray(msgs) || !msgs.length) return problems.push(`${at}: messages is not a non-empty array`);
    let k = 0;
    if ((msgs[0] as { role?: unknown })?.role === 'system') k = 1;
    const rest = msgs.slice(k);
    if (rest.length < 2) problems.push(`${at}: needs at least one user and one assistant message`);
    msgs.forEach((m, j) => {
      if (!m || typeof m !== 'object' || Array.isArray(m)) return problems.push(`${at}: message ${j} is not an object`);
      const mk = Object.keys(m).sort().join(',');
      if (mk !== 'content,role') problems.push(`${at}: message ${j} has keys ${mk}`);
      const { role, content } = m as { role: unknown; content: unknown };
      if (typeof content !== 'string' || !content.length) problems.push(`${at}: message ${j} content is not a non-empty string`);
      if (j < k) return;
      const want = (j - k) % 2 === 0 ? 'user' : 'assistant';
      if (role !== want) problems.push(`${at}: message ${j} has role ${String(role)}, expected ${want}`);
    });
    if ((rest.at(-1) as { role?: unknown } | undefined)?.role !== 'assistant') problems.push(`${at}: the last message is not the assistant's`);
  });
  return problems;
}

/**
 * Alpaca JSON: one JSON array of objects whose `instruction`, `input` and `output` are strings
 * (instruction and output non-empty); `system` allowed as a string; no other key.
 */
export function checkAlpacaJson(text: string): string[] {
  const problems: string[] = [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return [`not JSON: ${(e as Error).message}`];
  }
  if (!Array.isArray(v)) return ['not a JSON array'];
  if (!v.length) problems.push('empty array');
  v.forEach((r, i) => {
    const at = `record ${i}`;
    if (!r || typeof r !== 'object' || Array.isArray(r)) return problems.push(`${at}: not an object`);
    const o = r as Record<string, unknown>;
    for (const k of ['instruction', 'input', 'output']) if (typeof o[k] !== 'string') problems.push(`${at}: ${k} is not a string`);
    if (typeof o.instruction === 'string' && !o.instruction) problems.push(`${at}: empty instruction`);
    if (typeof o.output === 'string' && !o.output) problems.push(`${at}: empty output`);
    if ('system' in o && typeof o.system !== 'string') problems.push(`${at}: system is not a string`);
    const extra = Object.keys(o).filter((k) => !['instruction', 'input', 'output', 'system'].includes(k));
    if (extra.length) problems.push(`${at}: unexpected keys ${extra.join(',')}`);
  });
  return problems;
}
