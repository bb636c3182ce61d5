#!/usr/bin/env bash
# The whole suite on a busy machine (issue 18, item 12): a clean clone of HEAD runs exactly what
# CI runs (.ci/run: install as locked, then the README's test command) while another process
# keeps one core busy, RUNS times in a row (default 2). Two tests once failed on a clean clone
# only because the machine was busy; this is how a change proves no test depends on speed.
#
#   bash scripts/test-under-load.sh [RUNS]
#
# Each run's log is kept in $TMPDIR/seedforge-load-<n>.log; the last lines printed are one
# verdict per run with its wall time. Exit status 0 only if every run was green.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2}
tmp=${TMPDIR:-/tmp}
clone="$tmp/seedforge-load-clone"
# The clone sits beside a copy-free link to ../shared (the test models), as CI has it.
shared_dir="$(cd .. && pwd)/shared"

# One core busy for the whole time: a shell loop, the same load a second job on the runner makes.
( while :; do :; done ) &
hog=$!
trap 'kill $hog 2>/dev/null' EXIT

verdicts=()
ok=0
for n in $(seq 1 "$runs"); do
  rm -rf "$clone" && mkdir -p "$clone"
  git clone -q . "$clone/main"
  [ -d "$shared_dir" ] && ln -s "$shared_dir" "$clone/shared"
  log="$tmp/seedforge-load-$n.log"
  start=$(date +%s)
  (cd "$clone/main" && CI=true bash .ci/run) >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  summary=$(grep -E '^tests: ' "$log" | tail -n 1)
  verdicts+=("run $n: exit $rc in ${secs}s — ${summary:-no summary (see $log)}")
  [ "$rc" -eq 0 ] && ok=$((ok + 1))
done
rm -rf "$clone"

printf '%s\n' "${verdicts[@]}"
echo "green $ok of $runs under load (one core kept busy)"
[ "$ok" -eq "$runs" ]
