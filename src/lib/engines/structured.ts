import type { ChatTurn } from '../db/types';
import type { JsonSchema } from './types';

/**
 * Pieces every engine shares for fixed-shape answers and reasoning models: a GBNF grammar from
 * the app's JSON Schema subset (llama.cpp/wllama), the split of reasoning from the answer, and a
 * token estimate for engines without a tokenizer.
 */

const lit = (s: string) => JSON.stringify(s); // a GBNF string literal is a JSON string literal

/** One JSON string character: anything but a quote, a backslash or a control character, or an escape. */
const CHAR = String.raw`[^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})`;

/**
 * A GBNF grammar (llama.cpp's grammar format) that admits exactly the JSON texts of `schema`,
 * with properties in the schema's order and at most one space between tokens. Whitespace is
 * bounded on purpose: small models left free to emit whitespace can loop on it until maxTokens.
 * @throws Error for a schema outside the supported subset.
 */
export function schemaToGbnf(schema: JsonSchema): string {
  const rules = new Map<string, string>();
  const define = (name: string, body: string) => {
    rules.set(name, body);
    return name;
  };
  const visit = (s: JsonSchema, name: string): string => {
    switch (s.type) {
      case 'object': {
        const keys = Object.keys(s.properties);
        const missing = s.required.filter((k) => !keys.includes(k));
        if (missing.length) throw new Error(`schema ${name}: required ${missing.join(', ')} not in properties`);
        if (keys.some((k) => !s.required.includes(k))) throw new Error(`schema ${name}: every property must be required`);
        // Rule names from the key's letters and digits, made unique ("a_b" and "ab", or Chinese keys, would collide).
        const parts = keys.map((k, i) => {
          let rule = `${name}-${k.replace(/[^A-Za-z0-9]/g, '') || 'p'}`;
          if (rules.has(rule) || keys.some((o, j) => j < i && `${name}-${o.replace(/[^A-Za-z0-9]/g, '') || 'p'}` === rule)) rule += `${i}`;
          return `${i ? '"," ws ' : ''}${lit(JSON.stringify(k))} ws ":" ws ${visit(s.properties[k]!, rule)}`;
        });
        return define(name, `"{" ws ${parts.join(' ws ')} ws "}"`);
      }
      case 'string': {
        if (s.enum) return define(name, s.enum.map((v) => lit(JSON.stringify(v))).join(' | '));
        const min = s.minLength ?? 0;
        const max = s.maxLength;
        const reps = max === undefined ? (min ? `{${min},}` : '*') : `{${min},${max}}`;
        return define(name, `"\\"" char${reps} "\\""`);
      }
      case 'integer': {
        if (!Number.isInteger(s.minimum) || !Number.isInteger(s.maximum) || s.maximum < s.minimum || s.maximum - s.minimum > 100) {
          throw new Error(`schema ${name}: integers need a range of at most 101 values`);
        }
        const values: string[] = [];
        for (let v = s.minimum; v <= s.maximum; v++) values.push(lit(String(v)));
        return define(name, values.join(' | '));
      }
      case 'boolean':
        return define(name, '"true" | "false"');
    }
  };
  visit(schema, 'root');
  rules.set('char', CHAR);
  rules.set('ws', '" "?');
  return [...rules].map(([k, v]) => `${k} ::= ${v}`).join('\n') + '\n';
}

/** Whether a parsed value has the schema's shape (used to tell constrained answers that still fail). */
export function matchesSchema(value: unknown, s: JsonSchema): boolean {
  switch (s.type) {
    case 'object':
      return (
        typeof value === 'object' && value !== null && !Array.isArray(value) &&
        s.required.every((k) => k in (value as object)) &&
        Object.entries(s.properties).every(([k, sub]) => !(k in (value as object)) || matchesSchema((value as Record<string, unknown>)[k], sub))
      );
    case 'string':
      return typeof value === 'string' && (!s.enum || s.enum.includes(value)) && value.length >= (s.minLength ?? 0) && value.length <= (s.maxLength ?? Infinity);
    case 'integer':
      return Number.isInteger(value) && (value as number) >= s.minimum && (value as number) <= s.maximum;
    case 'boolean':
      return typeof value === 'boolean';
  }
}

/**
 * Splits a reasoning model's thinking from its answer. Reasoning models write their thinking
 * first: a `<think>…</think>` block at the very start of the reply (an unclosed one, cut by
 * maxTokens, leaves no answer). Models whose chat template writes the opening tag itself
 * (`templateOpensThink`: DeepSeek-R1 and its distills, QwQ) reply `…</think>answer`. Tags anywhere
 * else are the answer's own text (a question about HTML or about these very tags).
 */
export function splitReasoning(text: string, templateOpensThink = false): { answer: string; reasoning: string } {
  const lead = /^\s*<think>([\s\S]*?)(?:<\/think>|$)/.exec(text);
  if (lead) return { answer: text.slice(lead[0].length).trim(), reasoning: lead[1]!.trim() };
  const close = text.indexOf('</think>');
  if (templateOpensThink && close >= 0) return { answer: text.slice(close + '</think>'.length).trim(), reasoning: text.slice(0, close).trim() };
  return { answer: text.trim(), reasoning: '' };
}

/** Models whose chat template opens the thinking block for them. */
export const TEMPLATE_OPENS_THINK = /deepseek-r1|r1-distill|qwq/i;

const CJK = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/g;

/**
 * Prompt tokens of a conversation, estimated for engines without a tokenizer: deliberately on the
 * high side (a budget check that underestimates sends a call that fails). Measured on the Llama
 * tokenizer (TinyLlama): English prose is 3.6–4.4 characters a token, code and JSON nearer 3;
 * a CJK character is 1–3 tokens there (byte fallback) and about one in Qwen's vocabulary. The
 * estimate takes 3 characters a token and 2 tokens a CJK character, plus 8 tokens a turn for the
 * chat template's markers.
 */
export function estimateTokens(messages: ChatTurn[]): number {
  let n = 0;
  for (const m of messages) {
    const cjk = m.content.match(CJK)?.length ?? 0;
    n += Math.ceil((m.content.length - cjk) / 3) + cjk * 2 + 8;
  }
  return n + 8;
}
