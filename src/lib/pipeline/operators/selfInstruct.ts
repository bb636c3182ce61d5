import { instructionProblem } from '../filters';
import { maxRougeL } from '../rouge';
import { sample } from '../../random';
import { INSTANCE } from '../schemas';
import { render } from '../templates';
import type { CallRecord, OpContext } from '../types';

/**
 * Self-Instruct (Wang et al. 2022): the model sees 8 example instructions — human seeds and
 * earlier machine-made ones (6 + 2 in the paper) — and writes the next. A new instruction is
 * dropped when it is too short or long, asks for what a text model cannot do, starts with
 * punctuation, or is too close (ROUGE-L > 0.7) to anything in the pool.
 */
export interface SelfInstructParams {
  humanShots: number;
  machineShots: number;
  temperature: number;
  rougeThreshold: number;
}

export type Generated = ({ ok: true; instruction: string; rouge: number } | { ok: false; reason: string; instruction: string; rouge?: number; match?: string | null }) & { call: CallRecord };

/** The first task the model wrote after "Task N:", cut where it starts another one. */
export function firstTask(raw: string): string {
  const cut = raw.split(/\n\s*(?:Task|任务)\s*\d+\s*[:：.]|\n\s*\n/)[0] ?? '';
  return cut.replace(/^\s*(?:Task|任务)\s*\d+\s*[:：.]\s*/, '').replace(/^["“]|["”]$/g, '').trim();
}

export async function generateInstruction(ctx: OpContext, human: string[], machine: string[], pool: string[], p: SelfInstructParams): Promise<Generated> {
  const shots = [...sample(ctx.rng, human, p.humanShots), ...sample(ctx.rng, machine, p.machineShots)];
  const label = ctx.lang === 'zh' ? '任务' : 'Task';
  const examples = shots.map((s, i) => `${label} ${i + 1}: ${s.replace(/\s+/g, ' ').trim()}`).join('\n');
  const persona = ctx.persona ? render('selfInstruct.persona', ctx.lang, { persona: ctx.persona }, ctx.templates) : '';
  const prompt = render('selfInstruct.generate', ctx.lang, { examples, next: String(shots.length + 1), persona }, ctx.templates);
  const call = await ctx.call('selfInstruct', 'generator', 'selfInstruct.generate', prompt, { temperature: p.temperature, maxTokens: 200 });
  const instruction = firstTask(call.raw);
  const problem = instructionProblem(instruction);
  if (problem) return { ok: false, reason: `selfInstruct:${problem}`, instruction, call };
  const { score, match } = maxRougeL(instruction, pool);
  if (score > p.rougeThreshold) return { ok: false, reason: 'selfInstruct:similar', instruction, rouge: score, match, call };
  return { ok: true, instruction, rouge: score, call };
}

/**
 * Reads an instance: the JSON object a constrained engine writes (`{"input": …, "output": …}`),
 * else "Input: … Output: …" (or 输入：… 输出：…); `<noinput>`/`<无>` mean an empty input.
 */
export function parseInstance(raw: string): { input: string; output: string } | null {
  const json = /^\s*(?:```(?:json)?\s*)?(\{[\s\S]*\})\s*(?:```)?\s*$/.exec(raw);
  if (json) {
    try {
      const j = JSON.parse(json[1]!) as { input?: unknown; output?: unknown };
      if (typeof j.output === 'string' && j.output.trim()) {
        const input = typeof j.input === 'string' ? j.input.trim().replace(/^<\s*(?:no\s*input|noinput|无|none)\s*>$/i, '') : '';
        return { input, output: j.output.trim() };
      }
      return null;
    } catch {
      /* not JSON after all: read it as text */
    }
  }
  const m = /(?:^|\n)\s*(?:Input|输入)\s*[:：]\s*([\s\S]*?)\n\s*(?:Output|输出)\s*[:：]\s*([\s\S]*)$/i.exec(raw.trim());
  if (!m) return null;
  const input = m[1]!.trim().replace(/^<\s*(?:no\s*input|noinput|无|none)\s*>$/i, '');
  const output = m[2]!.trim();
  return output ? { input, output } : null;
}

export async function generateInstance(ctx: OpContext, instruction: string, temperature: number): Promise<{ instance: { input: string; output: string } | null; call: CallRecord }> {
  const prompt = render('selfInstruct.instance', ctx.lang, { instruction }, ctx.templates);
  const call = await ctx.call('selfInstruct.instance', 'generator', 'selfInstruct.instance', prompt, { temperature, maxTokens: 512, schema: INSTANCE });
  return { instance: parseInstance(call.raw), call };
}
