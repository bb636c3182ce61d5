/**
 * Strict checks of preference-pair files, written from each trainer's documentation (TRL's
 * dataset formats page, LLaMA-Factory's data/README.md, OpenAI's DPO guide), not from our
 * exporter. Each takes the file's text and returns the problems found (empty: valid). Shared by
 * the unit tests and the e2e test of the Review tab's pair export.
 */

export type PairCheckFormat = 'trl-jsonl' | 'trl-chat-jsonl' | 'llamafactory-alpaca-json' | 'llamafactory-sharegpt-json' | 'openai-dpo-jsonl' | 'kto-jsonl';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => typeof v === 'string' && v.length > 0;

/** Keys: every required one present, nothing outside required + optional. */
function keys(o: Obj, required: string[], optional: string[], at: string, problems: string[]): void {
  for (const k of required) if (!(k in o)) problems.push(`${at}: missing "${k}"`);
  for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) problems.push(`${at}: key "${k}" not allowed`);
}

/** `{role, content}` messages with string contents, roles from `roles`. */
function messages(v: unknown, roles: string[], at: string, problems: string[]): Obj[] {
  if (!Array.isArray(v) || !v.length) {
    problems.push(`${at}: not a non-empty array of messages`);
    return [];
  }
  v.forEach((m, j) => {
    if (!isObj(m)) return problems.push(`${at}[${j}]: not an object`);
    const mk = Object.keys(m).sort().join(',');
    if (mk !== 'content,role') problems.push(`${at}[${j}]: keys ${mk} (role and content only)`);
    if (!roles.includes(m.role as string)) problems.push(`${at}[${j}]: role ${String(m.role)}`);
    if (!str(m.content)) problems.push(`${at}[${j}]: content is not a non-empty string`);
  });
  return v.filter(isObj);
}

/** A prompt conversation: an optional first system message, then user/assistant alternating, ending with the user's. */
function promptMessages(v: unknown, at: string, problems: string[]): void {
  const ms = messages(v, ['system', 'user', 'assistant'], at, problems);
  const rest = ms[0]?.role === 'system' ? ms.slice(1) : ms;
  rest.forEach((m, j) => {
    if (m.role !== (j % 2 === 0 ? 'user' : 'assistant')) problems.push(`${at}: message ${j} out of turn (${String(m.role)})`);
  });
  if (rest.at(-1)?.role !== 'user') problems.push(`${at}: the prompt does not end with the user's message`);
}

/** Exactly one assistant message (TRL's conversational sides; OpenAI's outputs). */
function oneAssistant(v: unknown, at: string, problems: string[]): void {
  const ms = messages(v, ['assistant'], at, problems);
  if (ms.length !== 1) problems.push(`${at}: ${ms.length} messages (exactly one assistant message)`);
}

function records(format: PairCheckFormat, text: string, problems: string[]): unknown[] {
  if (format === 'llamafactory-alpaca-json' || format === 'llamafactory-sharegpt-json') {
    try {
      const v = JSON.parse(text);
      if (!Array.isArray(v)) problems.push('the file is not a JSON array');
      return Array.isArray(v) ? v : [];
    } catch {
      problems.push('the file is not JSON');
      return [];
    }
  }
  if (!text.endsWith('\n')) problems.push('the last line has no line end');
  return text
    .split('\n')
    .filter((l, i, a) => i < a.length - 1 || l !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        problems.push(`line ${i + 1}: not JSON`);
        return null;
      }
    });
}

/**
 * Checks a pair file. `provenance`: a `provenance` object is allowed on each record (never in
 * OpenAI's layout, whose lines take no other key).
 */
export function checkPairFile(format: PairCheckFormat, text: string, provenance = false): string[] {
  const problems: string[] = [];
  const rows = records(format, text, problems);
  if (!rows.length) problems.push('no records');
  const extra = provenance && format !== 'openai-dpo-jsonl' ? ['provenance'] : [];
  rows.forEach((r, i) => {
    const at = `record ${i + 1}`;
    if (!isObj(r)) return problems.push(`${at}: not an object`);
    switch (format) {
      case 'trl-jsonl':
        keys(r, ['prompt', 'chosen', 'rejected'], extra, at, problems);
        for (const k of ['prompt', 'chosen', 'rejected']) if (!str(r[k])) problems.push(`${at}: ${k} is not a non-empty string`);
        break;
      case 'trl-chat-jsonl':
        keys(r, ['prompt', 'chosen', 'rejected'], extra, at, problems);
        promptMessages(r.prompt, `${at}.prompt`, problems);
        oneAssistant(r.chosen, `${at}.chosen`, problems);
        oneAssistant(r.rejected, `${at}.rejected`, problems);
        break;
      case 'llamafactory-alpaca-json':
        keys(r, ['instruction', 'chosen', 'rejected'], ['input', 'system', 'history', ...extra], at, problems);
        for (const k of ['instruction', 'chosen', 'rejected']) if (!str(r[k])) problems.push(`${at}: ${k} is not a non-empty string`);
        for (const k of ['input', 'system']) if (k in r && typeof r[k] !== 'string') problems.push(`${at}: ${k} is not a string`);
        break;
      case 'llamafactory-sharegpt-json': {
        keys(r, ['conversations', 'chosen', 'rejected'], ['system', 'tools', ...extra], at, problems);
        const turns = Array.isArray(r.conversations) ? r.conversations : [];
        if (!turns.length) problems.push(`${at}: conversations is not a non-empty array`);
        turns.forEach((t: unknown, j: number) => {
          if (!isObj(t) || Object.keys(t).sort().join(',') !== 'from,value' || !str(t.value)) return problems.push(`${at}.conversations[${j}]: not {from, value}`);
          // Human turns at odd positions (1st, 3rd, …), gpt between: the prompt ends with the human's.
          if (t.from !== (j % 2 === 0 ? 'human' : 'gpt')) problems.push(`${at}.conversations[${j}]: from ${String(t.from)}`);
        });
        if (turns.length % 2 !== 1) problems.push(`${at}: conversations does not end with the human turn`);
        for (const k of ['chosen', 'rejected']) {
          const m = r[k];
          if (!isObj(m) || Object.keys(m).sort().join(',') !== 'from,value' || m.from !== 'gpt' || !str(m.value)) problems.push(`${at}: ${k} is not {from: "gpt", value}`);
        }
        if ('system' in r && typeof r.system !== 'string') problems.push(`${at}: system is not a string`);
        break;
      }
      case 'openai-dpo-jsonl': {
        keys(r, ['input', 'preferred_output', 'non_preferred_output'], [], at, problems);
        if (!isObj(r.input)) problems.push(`${at}: input is not an object`);
        else {
          keys(r.input, ['messages'], ['tools', 'parallel_tool_calls'], `${at}.input`, problems);
          promptMessages(r.input.messages, `${at}.input.messages`, problems);
        }
        oneAssistant(r.preferred_output, `${at}.preferred_output`, problems);
        oneAssistant(r.non_preferred_output, `${at}.non_preferred_output`, problems);
        break;
      }
      case 'kto-jsonl':
        keys(r, ['prompt', 'completion', 'label'], extra, at, problems);
        if (!str(r.prompt) || !str(r.completion)) problems.push(`${at}: prompt and completion must be non-empty strings`);
        if (typeof r.label !== 'boolean') problems.push(`${at}: label is not a boolean`);
        break;
    }
  });
  return problems;
}
