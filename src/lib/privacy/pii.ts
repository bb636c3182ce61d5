/**
 * PII / PHI detection and redaction for English and Chinese text (issue 17, item 3).
 *
 * Rules only, no model: each detector is a linear-time regex (bounded quantifiers, no nested
 * unbounded repetition) plus a checksum or a nearby keyword. Confidence says how the finding was
 * supported — 0.99 checksum-verified, 0.8–0.9 keyword-supported, lower for a pattern alone — and
 * when two findings overlap the stronger one wins, so the result is sorted and non-overlapping.
 */
import { isValidCnId, isValidIban, isValidSsn, luhnValid, validDate } from './checksums';

export type PiiType =
  | 'email' | 'phone' | 'cnId' | 'passport' | 'bankCard' | 'iban' | 'usSsn' | 'ipv4' | 'ipv6'
  | 'url' | 'apiKey' | 'dob' | 'medicalId' | 'name' | 'term';

export const PII_TYPES: readonly PiiType[] = [
  'email', 'phone', 'cnId', 'passport', 'bankCard', 'iban', 'usSsn', 'ipv4', 'ipv6', 'url',
  'apiKey', 'dob', 'medicalId', 'name', 'term',
];

export interface PiiFinding {
  type: PiiType;
  /** Offsets in JavaScript string units; `text === input.slice(start, end)`. */
  start: number;
  end: number;
  text: string;
  confidence: number;
  /** Why it was reported (checksum, keyword, pattern), for the review screen. */
  why: string;
}

export interface DetectOptions {
  /** Person names to find verbatim (case-insensitive for Latin). */
  names?: string[];
  /** Other sensitive terms (project names, hospitals…) to find verbatim. */
  terms?: string[];
  /** Only these types (default: all). */
  types?: PiiType[];
}

type Emit = (type: PiiType, start: number, end: number, confidence: number, why: string) => void;

/** Keyword within `span` characters before `start` (case-insensitive). */
function cueBefore(text: string, start: number, cue: RegExp, span = 24): boolean {
  return cue.test(text.slice(Math.max(0, start - span), start));
}

const PHONE_CUE = /(电话|手机|联系|致电|tel|phone|mobile|call|cell|热线|號碼|号码|電話)/i;
const CARD_CUE = /(卡号|银行卡|信用卡|借记卡|card|account|账号|帳號|visa|mastercard)/i;
const SSN_CUE = /(ssn|social security)/i;
const VERSION_CUE = /(v|version|版本|ver\.?|build|release)\s*$/i;

const ND = '(?<![\\dA-Za-z])';
const NDE = '(?![\\dA-Za-z])';

function detectEmail(text: string, emit: Emit): void {
  const re = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9])/g;
  for (const m of text.matchAll(re)) emit('email', m.index, m.index + m[0].length, 0.95, 'email pattern');
}

function detectPhone(text: string, emit: Emit): void {
  const mobile = new RegExp(`${ND}(?:(?:\\+|00)86[ -]?)?1[3-9]\\d(?:[ -]?\\d{4}){2}${NDE}`, 'g');
  for (const m of text.matchAll(mobile)) emit('phone', m.index, m.index + m[0].length, 0.85, 'mainland mobile number');
  const land = new RegExp(`${ND}(?:(?:\\+86[ -]?)?0?\\d{2,3}[ -]|\\(0\\d{2,3}\\)[ ]?|（0\\d{2,3}）)[2-9]\\d{6,7}${NDE}`, 'g');
  for (const m of text.matchAll(land)) {
    const cue = cueBefore(text, m.index, PHONE_CUE);
    if (!m[0].startsWith('0') && !m[0].startsWith('+') && !m[0].startsWith('(') && !m[0].startsWith('（') && !cue) continue;
    emit('phone', m.index, m.index + m[0].length, cue ? 0.85 : 0.75, 'landline with area code');
  }
  const hk = new RegExp(`\\+852[ -]?[2-9]\\d{3}[ -]?\\d{4}${NDE}`, 'g');
  for (const m of text.matchAll(hk)) emit('phone', m.index, m.index + m[0].length, 0.85, 'Hong Kong number (+852)');
  const tw = new RegExp(`(?:\\+886[ -]?9\\d{2}|${ND}09\\d{2})[ -]?\\d{3}[ -]?\\d{3}${NDE}`, 'g');
  for (const m of text.matchAll(tw)) {
    const cue = m[0].startsWith('+') || cueBefore(text, m.index, PHONE_CUE);
    if (cue) emit('phone', m.index, m.index + m[0].length, 0.85, 'Taiwan mobile number');
  }
  const hk8 = new RegExp(`${ND}[2-9]\\d{3}[ -]?\\d{4}${NDE}`, 'g');
  for (const m of text.matchAll(hk8)) {
    if (cueBefore(text, m.index, PHONE_CUE, 12)) emit('phone', m.index, m.index + m[0].length, 0.8, 'phone number after a cue word');
  }
  const e164 = /\+[1-9]\d{0,2}(?:[ -]?\(?\d{1,4}\)?){2,5}(?![\dA-Za-z])/g;
  for (const m of text.matchAll(e164)) {
    const digits = m[0].replace(/\D/g, '').length;
    if (digits >= 8 && digits <= 15) emit('phone', m.index, m.index + m[0].length, 0.75, 'international number (E.164)');
  }
}

function detectCnId(text: string, emit: Emit): void {
  const re = new RegExp(`${ND}\\d{17}[\\dXx]${NDE}`, 'g');
  for (const m of text.matchAll(re)) {
    if (isValidCnId(m[0])) emit('cnId', m.index, m.index + 18, 0.99, 'resident ID: province, birth date and MOD 11-2 check digit');
  }
}

function detectPassport(text: string, emit: Emit): void {
  const re = /(护照|護照|passport|通行证|通行證)[^\n]{0,24}?(?<![A-Za-z0-9])([A-Z]{1,2}\d{6,9})(?![A-Za-z0-9])/gi;
  for (const m of text.matchAll(re)) {
    const value = m[2]!;
    if (!/^[A-Z]{1,2}\d+$/.test(value)) continue; // the letters must be capitals (the flag is for the keyword)
    const start = m.index + m[0].length - value.length;
    emit('passport', start, start + value.length, 0.85, `passport-like number after "${m[1]}"`);
  }
}

const CARD_PREFIX = /^(4|5[1-5]|2[2-7]|3[47]|3[0689]|35|6[0-9])/;

function standardCardLength(d: string): boolean {
  return d.length === 16 || (d.length === 15 && /^3[47]/.test(d)) || (d.length === 14 && /^3[068]/.test(d)) || (d.length === 19 && /^62/.test(d));
}

function detectCards(text: string, emit: Emit): void {
  const re = new RegExp(`${ND}(?:\\d{4}(?:[ -]\\d{4}){2,3}(?:[ -]\\d{1,3})?|\\d{4}[ -]\\d{6}[ -]\\d{4,5}|\\d{13,19})${NDE}`, 'g');
  for (const m of text.matchAll(re)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !CARD_PREFIX.test(digits) || !luhnValid(digits)) continue;
    const cue = cueBefore(text, m.index, CARD_CUE, 30);
    // Without a card keyword only the usual lengths count (16; Amex 15, Diners 14, UnionPay 19):
    // a 17- or 18-digit order or reference number that happens to pass Luhn is not a card.
    if (!cue && !/[ -]/.test(m[0]) && !standardCardLength(digits)) continue;
    emit('bankCard', m.index, m.index + m[0].length, cue ? 0.99 : 0.9, cue ? 'Luhn-valid card number after a card keyword' : 'Luhn-valid card number');
  }
}

function detectIban(text: string, emit: Emit): void {
  const re = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;
  for (const m of text.matchAll(re)) {
    let s = m[0];
    // A trailing word (a BIC, "EUR") may have been taken as a group: drop groups until it checks.
    while (s.length >= 15 && !isValidIban(s)) s = s.replace(/ ?[A-Z0-9]{1,4}$/, '');
    if (isValidIban(s)) emit('iban', m.index, m.index + s.length, 0.99, 'IBAN: country length and mod 97');
  }
}

function detectSsn(text: string, emit: Emit): void {
  const re = /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g;
  for (const m of text.matchAll(re)) {
    if (!isValidSsn(m[0])) continue;
    const cue = cueBefore(text, m.index, SSN_CUE, 30);
    emit('usSsn', m.index, m.index + 11, cue ? 0.95 : 0.8, cue ? 'SSN after its keyword' : 'SSN pattern (valid area/group/serial)');
  }
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

function detectIp(text: string, emit: Emit): void {
  const v4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\d|\\.\\d)`, 'g');
  for (const m of text.matchAll(v4)) {
    if (VERSION_CUE.test(text.slice(Math.max(0, m.index - 10), m.index))) continue;
    emit('ipv4', m.index, m.index + m[0].length, 0.8, 'IPv4 address');
  }
  const v6 = /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?|[0-9A-Fa-f]{1,4})(?![0-9A-Fa-f:])|(?<![0-9A-Fa-f:])::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])/g;
  for (const m of text.matchAll(v6)) {
    const s = m[0];
    const groups = s.split(':').filter(Boolean).length;
    const compressed = s.includes('::');
    if ((s.match(/::/g) ?? []).length > 1 || s.includes(':::')) continue;
    if (compressed ? groups > 7 || groups < 2 : groups !== 8) continue;
    if (!/[A-Fa-f]/.test(s) && !compressed) continue;
    emit('ipv6', m.index, m.index + s.length, 0.85, 'IPv6 address');
  }
}

const TOKEN_PARAM = /[?&#](access_token|token|api_key|apikey|key|secret|client_secret|sig|signature|password|passwd|auth|session|sessionid)=[^&#\s]{6,}/i;

function detectUrl(text: string, emit: Emit): void {
  const re = /\b(?:https?|ftp|wss?|postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp):\/\/[^\s<>"'）)】，。]+/gi;
  for (const m of text.matchAll(re)) {
    const s = m[0].replace(/[.,;:!?]+$/, '');
    const creds = /^[a-z0-9+]+:\/\/[^/\s@:]+:[^/\s@]+@/i.test(s);
    const token = TOKEN_PARAM.test(s);
    if (creds || token) emit('url', m.index, m.index + s.length, 0.95, creds ? 'URL with user:password' : 'URL with a token parameter');
  }
}

const API_KEYS: [RegExp, string][] = [
  [/sk-ant-[A-Za-z0-9_-]{20,200}/g, 'Anthropic key (sk-ant-)'],
  [/sk-(?:proj-|live-|test-)?[A-Za-z0-9_]{20,200}/g, 'secret key (sk-)'],
  [/(?:AKIA|ASIA)[0-9A-Z]{16}/g, 'AWS access key id'],
  [/gh[pousr]_[A-Za-z0-9]{36,80}/g, 'GitHub token'],
  [/xox[abprs]-[A-Za-z0-9-]{10,200}/g, 'Slack token'],
  [/AIza[0-9A-Za-z_-]{35}/g, 'Google API key'],
];

function detectApiKey(text: string, emit: Emit): void {
  for (const [re, why] of API_KEYS) {
    for (const m of text.matchAll(re)) {
      if (m.index > 0 && /[A-Za-z0-9_-]/.test(text[m.index - 1]!)) continue;
      const end = m.index + m[0].length;
      if (end < text.length && /[A-Za-z0-9]/.test(text[end]!)) continue;
      emit('apiKey', m.index, end, 0.95, why);
    }
  }
}

const MONTHS = 'Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?';
const DATE = `\\d{4}\\s?[-/.年]\\s?\\d{1,2}\\s?[-/.月]\\s?\\d{1,2}日?|\\d{4}年\\d{1,2}月|\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{4}|(?:${MONTHS})\\.? \\d{1,2},? \\d{4}|\\d{1,2} (?:${MONTHS})\\.? \\d{4}`;

function detectDob(text: string, emit: Emit): void {
  const re = new RegExp(`(出生日期|出生年月|出生于|生日|DOB|D\\.O\\.B\\.?|date of birth|birth ?date|born on|born)[^\\n\\d]{0,12}?(${DATE})`, 'gi');
  for (const m of text.matchAll(re)) {
    const date = m[2]!;
    const nums = date.match(/\d+/g)!.map(Number);
    const y = nums.find((n) => n > 1000);
    if (y === undefined || y < 1900 || y > 2099) continue;
    if (nums.length === 3 && nums[0]! > 1000 && !validDate(nums[0]!, nums[1]!, nums[2]!)) continue;
    const start = m.index + m[0].length - date.length;
    emit('dob', start, start + date.length, 0.9, `date after "${m[1]}"`);
  }
}

function detectMedicalId(text: string, emit: Emit): void {
  const re = /(病历号|住院号|门诊号|病案号|就诊号|病歷號|MRN|medical record (?:no\.?|number)|case (?:no\.?|number|#)|admission (?:no\.?|number|#))(?:码|碼)?\s?(?:is|为|為|是)?[\s:：#]{0,3}(?<![A-Za-z0-9])([A-Za-z]{0,4}-?\d{4,12}(?:-\d{1,6})?)(?![A-Za-z0-9])/gi;
  for (const m of text.matchAll(re)) {
    const id = m[2]!;
    const start = m.index + m[0].length - id.length;
    emit('medicalId', start, start + id.length, 0.85, `number after "${m[1]}"`);
  }
}

/** Common Chinese surnames (single and compound), used to find where a name starts. */
const SURNAMES = new Set(
  ('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝')
    .split(''),
);
const COMPOUND = /^(欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯|端木)/;
/** Characters that end a name: verbs, particles and words that usually follow one. */
/** Negations (未 不 没) too: 被告马强未到庭 took 马强未 as the name (held-out corpus). */
const NAME_STOP = new Set('因于在的是今入自主诉出男女年称被与和及已无有来到向对经先说表签持住现将为以等岁，。、；：,.;:（(）) 之曾于也就都又还于从把让给请告同未不没'.split(''));

/** Roles a name follows; relatives and representatives too (家属周文斌 was missed, held-out corpus). */
const CN_CUE = /(患者|病人|病患|姓名|当事人|原告|被告|申请人|被申请人|委托人|受益人|投保人|被保险人|户名|开户人|持卡人|联系人|客户|家属|监护人|代理人|证人|经办人|配偶)[：:\s]?/g;
const EN_CUE = /\b(Patient|Mr\.?|Ms\.?|Mrs\.?|Dr\.?|Name:|Plaintiff|Defendant|Claimant|Applicant|Cardholder|Client|Account holder:?|[Bb]orrower|[Ll]ender|[Tt]enant|[Gg]uarantor|[Bb]eneficiary|[Ii]nsured)\s+([A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})\b/g;
const EN_NOT_NAME = new Set(['Information', 'Name', 'Portal', 'Care', 'ID', 'Record', 'Records', 'History', 'Safety', 'Consent', 'Education', 'Number', 'The', 'A', 'An', 'This', 'That', 'Who', 'With', 'And']);

/** A Chinese name starting at `i`: surname (or compound surname) and one or two given-name characters. */
function cnNameAt(text: string, i: number): number {
  const compound = COMPOUND.exec(text.slice(i, i + 2));
  let j = i + (compound ? 2 : 1);
  if (!compound && !SURNAMES.has(text[i]!)) return 0;
  const han = (c: string | undefined) => c !== undefined && /[\u4e00-\u9fff]/.test(c) && !NAME_STOP.has(c);
  if (!han(text[j])) return 0;
  j++;
  if (han(text[j])) j++;
  return j - i;
}

function detectNames(text: string, emit: Emit): void {
  for (const m of text.matchAll(CN_CUE)) {
    const at = m.index + m[0].length;
    const len = cnNameAt(text, at);
    if (len) emit('name', at, at + len, 0.85, `name after "${m[1]}"`);
  }
  for (const m of text.matchAll(/[\u4e00-\u9fff]{1,4}(?=先生|女士|小姐|医生|律师|老师)/g)) {
    for (let k = m.index; k < m.index + m[0].length; k++) {
      const rest = m.index + m[0].length - k;
      if ((rest <= 3 && SURNAMES.has(text[k]!)) || (rest <= 4 && COMPOUND.test(text.slice(k, k + 2)))) {
        emit('name', k, m.index + m[0].length, rest === 1 ? 0.75 : 0.85, 'name before a title (先生/女士)');
        break;
      }
    }
  }
  for (const m of text.matchAll(EN_CUE)) {
    const name = m[2]!;
    if (EN_NOT_NAME.has(name.split(/[ -]/)[0]!)) continue;
    const start = m.index + m[0].length - name.length;
    emit('name', start, start + name.length, 0.8, `name after "${m[1]}"`);
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function detectListed(text: string, list: string[], type: PiiType, emit: Emit): void {
  const words = [...new Set(list.map((w) => w.trim()).filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!words.length) return;
  const parts = words.map((w) => `${/^[A-Za-z0-9]/.test(w) ? '(?<![A-Za-z0-9])' : ''}${escapeRe(w)}${/[A-Za-z0-9]$/.test(w) ? '(?![A-Za-z0-9])' : ''}`);
  for (const m of text.matchAll(new RegExp(parts.join('|'), 'gi'))) {
    emit(type, m.index, m.index + m[0].length, 0.95, type === 'name' ? 'name from the supplied list' : 'term from the supplied list');
  }
}

/** Tie-break between equally confident overlapping findings: the more specific type wins. */
const PRIORITY: Record<PiiType, number> = {
  cnId: 14, iban: 13, bankCard: 12, apiKey: 11, url: 10, email: 9, usSsn: 8, passport: 7,
  medicalId: 6, dob: 5, phone: 4, ipv6: 3, ipv4: 2, name: 1, term: 0,
};

/** Finds PII / PHI in `text`; sorted, non-overlapping, the stronger finding kept where two overlap. */
export function detectPii(text: string, opts: DetectOptions = {}): PiiFinding[] {
  const want = new Set<PiiType>(opts.types ?? PII_TYPES);
  const found: PiiFinding[] = [];
  const emit: Emit = (type, start, end, confidence, why) => {
    if (want.has(type) && end > start) found.push({ type, start, end, text: text.slice(start, end), confidence, why });
  };
  detectEmail(text, emit);
  detectPhone(text, emit);
  detectCnId(text, emit);
  detectPassport(text, emit);
  detectCards(text, emit);
  detectIban(text, emit);
  detectSsn(text, emit);
  detectIp(text, emit);
  detectUrl(text, emit);
  detectApiKey(text, emit);
  detectDob(text, emit);
  detectMedicalId(text, emit);
  detectNames(text, emit);
  if (opts.names) detectListed(text, opts.names, 'name', emit);
  if (opts.terms) detectListed(text, opts.terms, 'term', emit);

  found.sort((a, b) => b.confidence - a.confidence || (b.end - b.start) - (a.end - a.start) || PRIORITY[b.type] - PRIORITY[a.type] || a.start - b.start);
  // Strongest first; a character already taken rejects any later finding over it (linear in the
  // total span length, where comparing against every kept finding was quadratic on large texts).
  const taken = new Uint8Array(text.length);
  const kept: PiiFinding[] = [];
  for (const f of found) {
    if (taken.subarray(f.start, f.end).includes(1)) continue;
    taken.fill(1, f.start, f.end);
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

const LABELS: Record<PiiType, string> = {
  email: 'EMAIL', phone: 'PHONE', cnId: 'CN_ID', passport: 'PASSPORT', bankCard: 'BANK_CARD',
  iban: 'IBAN', usSsn: 'SSN', ipv4: 'IP', ipv6: 'IP', url: 'URL', apiKey: 'API_KEY', dob: 'DOB',
  medicalId: 'MEDICAL_ID', name: 'NAME', term: 'TERM',
};

/** Types whose masked form keeps the last four characters (numbers a reader may need to match). */
const KEEP_TAIL = new Set<PiiType>(['phone', 'cnId', 'bankCard', 'iban', 'usSsn', 'passport', 'medicalId']);

export interface RedactOptions {
  mode: 'placeholder' | 'mask';
  /** Value → placeholder; pass the same map across an item's fields so a value keeps its number. */
  numbering?: Map<string, string>;
}

/** The same value, however it was spaced or cased, gets the same placeholder. */
function valueKey(f: PiiFinding): string {
  return `${LABELS[f.type]}\u0000${f.text.replace(/[\s-]/g, '').toLowerCase()}`;
}

function mask(f: PiiFinding): string {
  const alnum = f.text.replace(/[\s\-()（）+]/g, '').length;
  let keep = KEEP_TAIL.has(f.type) && alnum >= 8 ? 4 : 0;
  let out = '';
  for (let i = f.text.length - 1; i >= 0; i--) {
    const c = f.text[i]!;
    if (/[\s\-()（）+]/.test(c)) out = c + out;
    else if (keep > 0) { out = c + out; keep--; }
    else out = '*' + out;
  }
  return out;
}

/**
 * Replaces each finding with a typed placeholder (`[PHONE_1]`) or a mask that keeps at most the
 * last four characters of a number. `map` is the numbering (value key → placeholder), the same
 * object as `opts.numbering` when one was passed.
 */
export function redact(text: string, findings: PiiFinding[], opts: RedactOptions = { mode: 'placeholder' }): { text: string; map: Map<string, string> } {
  const map = opts.numbering ?? new Map<string, string>();
  const sorted = [...findings].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const f of sorted) {
    if (f.start < at) continue; // overlapping input: the earlier finding already covers it
    out += text.slice(at, f.start);
    if (opts.mode === 'mask') out += mask(f);
    else {
      const key = valueKey(f);
      let ph = map.get(key);
      if (!ph) {
        const label = LABELS[f.type];
        let n = 0;
        for (const k of map.keys()) if (k.startsWith(`${label}\u0000`)) n++;
        ph = `[${label}_${n + 1}]`;
        map.set(key, ph);
      }
      out += ph;
    }
    at = f.end;
  }
  return { text: out + text.slice(at), map };
}
