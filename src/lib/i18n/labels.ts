import { en, type MessageKey } from './en';
import { NO_TOPIC } from '../pipeline/operators/multiTurn';

/**
 * Words for the ids a run writes into its samples, calls and counts — operations
 * (`evol:increaseReasoning`), model-call steps (`bestOfN:respond`), prompt templates
 * (`evol.depth`), rejection reasons (`judgeFailed`, `filter:refusal`, `error:TypeError`) and the
 * judge parser's reasons — in the UI language. Components show the words and keep the raw id in
 * a `title` tooltip (ui/common/IdLabel.svelte). An id with no words (a newer build's id in an old
 * database) shows as itself rather than as nothing.
 */
export type IdKind = 'op' | 'template' | 'reason';

interface T {
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
}

const has = (key: string): key is MessageKey => key in en;

/** The catalogue key of a reason, and its parameters (`error:<Name>` shares one key). */
function reasonKey(id: string): { key: string; params?: Record<string, string> } {
  if (id.startsWith('error:')) return { key: 'error', params: { name: id.slice('error:'.length) } };
  if (id === 'noResponse') return { key: 'filter:noResponse' };
  return { key: id };
}

export function opLabel(i18n: T, id: string): string {
  const k = `label.op.${id}`;
  return has(k) ? i18n.t(k) : id;
}

export function templateLabel(i18n: T, id: string): string {
  const k = `label.template.${id}`;
  return has(k) ? i18n.t(k) : id;
}

export function reasonLabel(i18n: T, id: string | null): string {
  const { key, params } = reasonKey(id ?? 'unknown');
  const k = `label.reason.${key}`;
  return has(k) ? i18n.t(k, params) : (id ?? '');
}

/** What the user can do about a rejection reason (the Done card), or null when none is known. */
export function reasonFix(i18n: T, id: string | null): string | null {
  const k = `label.fix.${reasonKey(id ?? 'unknown').key}`;
  return has(k) ? i18n.t(k) : null;
}

/** A label by kind (for IdLabel). */
export function idLabel(i18n: T, kind: IdKind, id: string): string {
  return kind === 'op' ? opLabel(i18n, id) : kind === 'template' ? templateLabel(i18n, id) : reasonLabel(i18n, id);
}

/** Whether an id has words of its own (used by the unit test and to decide on a tooltip). */
export function hasLabel(kind: IdKind, id: string): boolean {
  if (kind === 'reason') return has(`label.reason.${reasonKey(id).key}`) && has(`label.fix.${reasonKey(id).key}`);
  return has(`label.${kind}.${id}`);
}

/**
 * judgeParse's reasons (English, for logs) in the UI language. The parser's few fixed phrases
 * are matched here; anything else is shown as it is.
 */
export function judgeWhyLabel(i18n: T, why: string): string {
  const fixed: Record<string, MessageKey> = {
    'the reply repeats the template': 'label.why.repeatsTemplate',
    'unreadable JSON': 'label.why.unreadableJson',
    'JSON without a score': 'label.why.jsonNoScore',
    'empty reply': 'label.why.empty',
    'a range instead of a score': 'label.why.range',
    'no score in the reply': 'label.why.noScore',
    [NO_TOPIC]: 'label.why.noTopic',
  };
  const f = fixed[why];
  if (f) return i18n.t(f);
  let m = /^score out of range: (.*)$/.exec(why);
  if (m) return i18n.t('label.why.outOfRange', { score: m[1]! });
  m = /^several scores: (.*)$/.exec(why);
  if (m) return i18n.t('label.why.several', { scores: m[1]! });
  return why;
}
