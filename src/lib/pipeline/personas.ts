import type { Rng } from '../random';
import type { Lang } from '../text/language';

/** Who might ask: put in generation prompts so that instructions spread over people and needs. */
export interface Persona {
  en: string;
  zh: string;
}

export const BUILT_IN_PERSONAS: Persona[] = [
  { en: 'a first-year university student', zh: '一名大一学生' },
  { en: 'a high-school teacher', zh: '一名高中教师' },
  { en: 'an emergency-room nurse', zh: '一名急诊科护士' },
  { en: 'a family doctor', zh: '一名全科医生' },
  { en: 'a hospital pharmacist', zh: '一名医院药剂师' },
  { en: 'a medical researcher', zh: '一名医学研究人员' },
  { en: 'a patient with a chronic illness', zh: '一名慢性病患者' },
  { en: 'a corporate lawyer', zh: '一名公司律师' },
  { en: 'a paralegal', zh: '一名律师助理' },
  { en: 'a judge', zh: '一名法官' },
  { en: 'a tenant in a rental dispute', zh: '一名陷入租赁纠纷的租客' },
  { en: 'a financial analyst', zh: '一名金融分析师' },
  { en: 'an accountant', zh: '一名会计师' },
  { en: 'a retail investor', zh: '一名散户投资者' },
  { en: 'a bank compliance officer', zh: '一名银行合规官' },
  { en: 'a small-business owner', zh: '一名小企业主' },
  { en: 'a software engineer', zh: '一名软件工程师' },
  { en: 'a data scientist', zh: '一名数据科学家' },
  { en: 'a security analyst', zh: '一名安全分析师' },
  { en: 'a product manager', zh: '一名产品经理' },
  { en: 'a civil engineer', zh: '一名土木工程师' },
  { en: 'an electrician', zh: '一名电工' },
  { en: 'a farmer', zh: '一名农民' },
  { en: 'a chef', zh: '一名厨师' },
  { en: 'a journalist', zh: '一名记者' },
  { en: 'a novelist', zh: '一名小说家' },
  { en: 'a translator', zh: '一名翻译' },
  { en: 'a historian', zh: '一名历史学家' },
  { en: 'a museum curator', zh: '一名博物馆策展人' },
  { en: 'a primary-school pupil', zh: '一名小学生' },
  { en: 'a parent of a toddler', zh: '一位幼儿家长' },
  { en: 'a retiree', zh: '一位退休老人' },
  { en: 'a social worker', zh: '一名社会工作者' },
  { en: 'a psychologist', zh: '一名心理咨询师' },
  { en: 'a civil servant', zh: '一名公务员' },
  { en: 'a police officer', zh: '一名警察' },
  { en: 'a logistics manager', zh: '一名物流经理' },
  { en: 'a marketing specialist', zh: '一名市场营销专员' },
  { en: 'a human-resources manager', zh: '一名人力资源经理' },
  { en: 'a physics PhD student', zh: '一名物理学博士生' },
  { en: 'a mathematics olympiad coach', zh: '一名数学竞赛教练' },
  { en: 'a travel agent', zh: '一名旅行社顾问' },
  { en: 'an environmental scientist', zh: '一名环境科学家' },
  { en: 'a nutritionist', zh: '一名营养师' },
];

export function personaText(p: Persona | string, lang: Lang): string {
  return typeof p === 'string' ? p : p[lang];
}

/**
 * Personas sampled evenly: a seeded shuffle, dealt in turn, so that in any run of N tasks every
 * persona appears ⌊N/P⌋ or ⌈N/P⌉ times.
 */
export function personaFor(task: number, list: (Persona | string)[], rngForShuffle: Rng): Persona | string {
  if (!list.length) throw new RangeError('no personas');
  const order = list.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rngForShuffle() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return list[order[task % list.length]!]!;
}
