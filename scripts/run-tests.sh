#!/usr/bin/env bash
# Runs every test kind in order — type check, unit (Node), browser (Vitest browser mode in
# Chromium), the real chat model (browser), end-to-end (the built app) — and prints one closing
# line with the totals.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/*.json
status=0

step() { echo; echo "=== $1"; shift; "$@" || status=1; }

# The real chat model (downloaded from the npm registry and re-quantised once; cached outside the
# repository): its path is the script's last line.
echo; echo "=== real chat model (npm run models:chat)"
if model=$(node scripts/models-chat.mjs | tail -n 1) && [ -f "$model" ]; then
  export SEEDFORGE_CHAT_MODEL="$model"
  echo "$model"
else
  echo "the real chat model could not be made: the chat tests will fail" >&2
  status=1
fi

step "type check (svelte-check)" npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output human
for project in unit browser webgpu chat; do
  step "$project tests" npx vitest run --project "$project" --reporter=default --reporter=json --outputFile.json="test-results/$project.json"
done
step "build" npx vite build --logLevel warn
step "e2e tests" npx vitest run --project e2e --reporter=default --reporter=json --outputFile.json=test-results/e2e.json

node --input-type=module -e '
import { readFileSync, existsSync } from "node:fs";
let passed = 0, failed = 0, skipped = 0;
const failures = [];
for (const p of ["unit", "browser", "webgpu", "chat", "e2e"]) {
  const f = `test-results/${p}.json`;
  if (!existsSync(f)) { console.log(`${p}: no results (the run did not start)`); failed++; continue; }
  const r = JSON.parse(readFileSync(f, "utf8"));
  // A file that failed to load has no test results of its own: count it as one failure.
  const broken = (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).length).length;
  passed += r.numPassedTests; failed += r.numFailedTests + broken; skipped += r.numPendingTests + r.numTodoTests;
  console.log(`${p}: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (broken ? ` (${broken} files did not load)` : ""));
  // The failures by name, at the end where a log tail shows them (a CI log is often cut above).
  for (const file of r.testResults ?? []) {
    const name = file.name.replace(process.cwd() + "/", "");
    if (file.status === "failed" && !(file.assertionResults ?? []).length) failures.push(`${p} ${name}: ${(file.message ?? "did not load").split("\n")[0].slice(0, 300)}`);
    for (const a of file.assertionResults ?? []) if (a.status === "failed") failures.push(`${p} ${name} > ${a.fullName}: ${(a.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 300)}`);
  }
}
if (failures.length) console.log("\nfailed:\n" + failures.map((f) => "  " + f).join("\n"));
console.log(`\ntests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || status=1
exit $status
