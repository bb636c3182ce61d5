// Copies the WebLLM model records of the catalogue's families into
// src/lib/engines/webllm/records.json. Run after upgrading @mlc-ai/web-llm; the unit test
// tests/unit/webllmCatalogue.test.ts fails until the copy matches the installed package.
import { readFileSync, writeFileSync } from 'node:fs';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';

const src = readFileSync(new URL('../src/lib/engines/webllm/catalogue.ts', import.meta.url), 'utf8');
const families = [...src.matchAll(/family: '([^']+)'/g)].map((m) => m[1]);
const records = families.flatMap((f) =>
  ['q4f16_1', 'q4f32_1'].map((p) => {
    const r = prebuiltAppConfig.model_list.find((x) => x.model_id === `${f}-${p}-MLC`);
    if (!r) throw new Error(`${f}-${p}-MLC is not in WebLLM's prebuilt list`);
    return r;
  }),
);
const version = JSON.parse(readFileSync(new URL('../node_modules/@mlc-ai/web-llm/package.json', import.meta.url), 'utf8')).version;
writeFileSync(new URL('../src/lib/engines/webllm/records.json', import.meta.url), JSON.stringify({ webllmVersion: version, records }, null, 1) + '\n');
console.log(`${records.length} records from WebLLM ${version}`);
