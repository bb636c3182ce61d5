// Writes tests/fixtures/pii/corpus.jsonl: synthetic, labelled sentences for `npm run bench:pii`
// (issue 17). Every value is invented; positives carry valid checksums. Deterministic (seeded).
// Usage: node scripts/gen-pii-corpus.mjs
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

let seed = 17;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const digits = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function cnId(bad = false) {
  const y = 1950 + Math.floor(rnd() * 60), m = 1 + Math.floor(rnd() * 12), d = 1 + Math.floor(rnd() * 28);
  const body = pick(['11', '31', '44', '51', '33', '32', '42']) + digits(4) + y + String(m).padStart(2, '0') + String(d).padStart(2, '0') + digits(3);
  let s = 0; for (let i = 0; i < 17; i++) s += Number(body[i]) * W[i];
  const c = '10X98765432'[s % 11];
  return body + (bad ? '10X98765432'[(s + 1) % 11] : c);
}
function luhnComplete(prefix, len) {
  const body = prefix + digits(len - prefix.length - 1);
  for (let c = 0; c < 10; c++) { const x = body + c; let sum = 0, dbl = false;
    for (let i = x.length - 1; i >= 0; i--) { let n = +x[i]; if (dbl) { n *= 2; if (n > 9) n -= 9; } sum += n; dbl = !dbl; }
    if (sum % 10 === 0) return x; }
}
const card = () => { const x = luhnComplete(pick(['4', '51', '55', '62', '622202', '6217']), 16); return pick([x, x.replace(/(\d{4})(?=\d)/g, '$1 '), x.replace(/(\d{4})(?=\d)/g, '$1-')]); };
function iban(cc, len) {
  const bban = digits(len - 4);
  const moved = bban + cc.split('').map((c) => c.charCodeAt(0) - 55).join('') + '00';
  let r = 0; for (const ch of moved) r = (r * 10 + +ch) % 97;
  const x = cc + String(98 - r).padStart(2, '0') + bban;
  return rnd() < 0.5 ? x : x.replace(/(.{4})(?=.)/g, '$1 ');
}
const ibanAny = () => iban(...pick([['DE', 22], ['GB', 22], ['FR', 27], ['NL', 18], ['ES', 24], ['IT', 27], ['CH', 21], ['BE', 16]]));
const mobile = () => { const x = '1' + pick(['3', '5', '8', '9', '7']) + digits(9); return pick([x, `+86 ${x}`, `${x.slice(0, 3)}-${x.slice(3, 7)}-${x.slice(7)}`, `+86-${x}`]); };
const land = () => pick(['010', '021', '020', '0755', '0571']) + '-' + pick(['6', '8', '5']) + digits(7);
const ssn = () => `${pick(['123', '234', '512', '078', '401'])}-${String(10 + Math.floor(rnd() * 89))}-${String(1000 + Math.floor(rnd() * 8999))}`;
const email = () => `${pick(['li.wei', 'jdoe', 'm.chen', 'anna.k', 'zhangsan88'])}@${pick(['example.com', 'mail.example.cn', 'hospital.example.org'])}`;
const ipv4 = () => `${pick([10, 172, 192, 203])}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${1 + Math.floor(rnd() * 254)}`;
const ipv6 = () => pick(['2001:db8:85a3::8a2e:370:7334', 'fe80::1ff:fe23:4567:890a', '2001:0db8:0000:0000:0000:ff00:0042:8329']);
const cnName = () => pick(['张', '李', '王', '陈', '刘', '欧阳']) + pick(['伟', '芳', '秀英', '建国', '明', '丽华', '小红']);
const enName = () => `${pick(['John', 'Mary', 'Alice', 'Robert', 'Linda'])} ${pick(['Smith', 'Parker', 'Turner', 'Hughes'])}`;
const dobZh = () => `${1950 + Math.floor(rnd() * 60)}年${1 + Math.floor(rnd() * 12)}月${1 + Math.floor(rnd() * 28)}日`;
const dobEn = () => pick([`${1950 + Math.floor(rnd() * 60)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`, `March ${1 + Math.floor(rnd() * 28)}, 19${60 + Math.floor(rnd() * 39)}`]);
const mrn = () => pick(['', 'MR', 'ZY']) + digits(8);
const passport = () => pick(['E', 'G', 'EA']) + digits(8);
const apiKey = () => pick([`sk-ant-api03-${digits(6)}abcDEF${digits(12)}`, `sk-${digits(8)}AbCdEfGh${digits(8)}`, `AKIA${digits(4)}ABCDEFGHIJKL`, `ghp_${'aB3'.repeat(12)}`]);
const url = () => pick([`https://admin:S3cret${digits(3)}@db.example.com/panel`, `https://api.example.com/v1/data?token=${digits(10)}abc`]);

// Each template: text with {type:value} slots.
const T = [
  () => `患者{name:${cnName()}}，男，出生日期：{dob:${dobZh()}}，身份证号{cnId:${cnId()}}，住院号{medicalId:${mrn()}}。`,
  () => `联系电话：{phone:${mobile()}}，邮箱 {email:${email()}}，请于周一前回复。`,
  () => `原告{name:${cnName()}}，身份证号码 {cnId:${cnId()}}，住址略，电话 {phone:${land()}}。`,
  () => `请将款项汇入银行卡号 {bankCard:${card()}}，户名{name:${cnName()}}。`,
  () => `Patient {name:${enName()}}, DOB {dob:${dobEn()}}, MRN {medicalId:${mrn()}}, was admitted for chest pain.`,
  () => `Please wire the deposit to IBAN {iban:${ibanAny()}} before Friday.`,
  () => `The applicant's SSN is {usSsn:${ssn()}} and the contact email is {email:${email()}}.`,
  () => `Card number {bankCard:${card()}} was charged $42.10 on 2024-03-15.`,
  () => `护照号码：{passport:${passport()}}，签发地上海。`,
  () => `Passport No. {passport:${passport()}}, nationality: Canada.`,
  () => `The server at {ipv4:${ipv4()}} rejected the login; IPv6 {ipv6:${ipv6()}} was fine.`,
  () => `Do not commit keys like {apiKey:${apiKey()}} to the repository.`,
  () => `The dump used {url:${url()}} to connect.`,
  () => `门诊号：{medicalId:${mrn()}}，就诊科室：心内科。`,
  () => `{name:${cnName()}}女士于上周办理了开户，预留手机 {phone:${mobile()}}。`,
  () => `Mr. {name:${enName()}} (case no. {medicalId:${digits(6)}}) signed the settlement.`,
  () => `收款账户 IBAN：{iban:${ibanAny()}}，用于跨境结算。`,
  () => `Date of birth: {dob:${dobEn()}}; phone {phone:+1 415 555 ${digits(4)}}.`,
  () => `香港办事处电话 {phone:+852 ${2 + Math.floor(rnd() * 7)}${digits(3)} ${digits(4)}}，台湾分部 {phone:+886 9${digits(2)} ${digits(3)} ${digits(3)}}。`,
  () => `病历号{medicalId:${mrn()}}的患者{name:${cnName()}}对青霉素过敏。`,
  () => `The borrower {name:${enName()}} listed account {bankCard:${card()}} and IBAN {iban:${ibanAny()}}.`,
  () => `出生年月：{dob:${1950 + Math.floor(rnd() * 60)}年${1 + Math.floor(rnd() * 12)}月}，职业：教师。`,
];
// Hard negatives: nothing here is PII.
const N = [
  () => `订单号 ${digits(16)}0 已发货，预计三天送达。`,
  () => `ISBN 978-7-${digits(3)}-${digits(5)}-${Math.floor(rnd() * 10)}，定价 ¥${Math.floor(rnd() * 90) + 10}.00。`,
  () => `Reference ${cnId(true)} could not be matched to any record.`,
  () => `日志时间戳 ${2024}${digits(2).replace(/^./, '0')}15123045，任务完成。`,
  () => `Upgraded from version 1.2.${Math.floor(rnd() * 20)} to v2.0.${Math.floor(rnd() * 9)}; build 10.0.19041.1 is unaffected.`,
  () => `The total was $${Math.floor(rnd() * 9000) + 100}.${digits(2)}, paid on ${2020 + Math.floor(rnd() * 5)}-0${1 + Math.floor(rnd() * 8)}-1${Math.floor(rnd() * 9)}.`,
  () => `会议定于2024年${1 + Math.floor(rnd() * 12)}月${1 + Math.floor(rnd() * 28)}日召开，地点待定。`,
  () => `Invoice INV-${digits(8)} totals 12,345.67 EUR, due 2025-06-30.`,
  () => `第${Math.floor(rnd() * 300)}条规定，合同金额为人民币${digits(6)}元。`,
  () => `Patient education materials were updated on 03/15/2024.`,
  () => `The model scored 0.${digits(3)} on the test set with seed ${digits(5)}.`,
  () => `本院共有床位 ${digits(4)} 张，年门诊量约 ${digits(6)} 人次。`,
];

const lines = [];
function render(tpl) {
  let text = ''; const spans = [];
  const src = tpl();
  const re = /\{(\w+):([^{}]+)\}/g; let at = 0, m;
  while ((m = re.exec(src))) { text += src.slice(at, m.index); spans.push({ type: m[1], start: text.length, end: text.length + m[2].length }); text += m[2]; at = m.index + m[0].length; }
  return { text: text + src.slice(at), spans };
}
for (let i = 0; i < 260; i++) lines.push(render(T[i % T.length]));
for (let i = 0; i < 100; i++) lines.push(render(N[i % N.length]));
writeFileSync(resolve(import.meta.dirname, '../tests/fixtures/pii/corpus.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
console.log(`${lines.length} lines`);
