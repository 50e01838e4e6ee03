#!/usr/bin/env bash
# Issue 21, spec-level: run A stands at Q1-16's Retain step (a Released volume
# of its own namespace), frozen there (SIGSTOP) so it stays that way; run B
# (smoke) runs to its end on the same cluster, teardown included. B must not
# delete A's volume; A, resumed (SIGCONT), must then pass Q1-16 (which makes the
# Released volume available again and reads its data).
set -euo pipefail
cd "$(dirname "$0")/.."
# kubectl: the one on PATH, or the one built with the embedded cluster.
command -v kubectl >/dev/null || PATH="$PATH:$(dirname "$(ls -d "${SC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stateful-conformance}"/bin/kubernetes-*/kubectl | tail -1)")"
export SC_CLUSTER=embedded SC_KEEP_CLUSTER=1 SC_CLUSTER_SHAPE=kind
KC=.cluster/kubeconfig
t0=$SECONDS; say() { printf '[two +%4ss] %s\n' "$((SECONDS - t0))" "$*"; }
say "cluster up (kind shape)"
npm run --silent cluster:up >/dev/null
rm -rf reports/two-a reports/two-b && mkdir -p reports
say "run A: Q1-16, to be stopped at its Released volume"
setsid env SC_REPORTS_DIR=reports/two-a npx vitest run --project specs specs/001c-closing-questions.spec.ts -t Q1-16 > reports/two-a.log 2>&1 &
a=$!
pv=""
for i in $(seq 1 600); do
  pv=$(kubectl --kubeconfig $KC get pv -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name} {.spec.claimRef.namespace}{"\n"}{end}' 2>/dev/null | awk '$2 ~ /^sc-q1-16-/ {print $1; exit}')
  [ -n "$pv" ] && break
done
[ -n "$pv" ] || { say "run A never had a Released volume"; kill -9 -- -$a; exit 1; }
kill -STOP -- -$a
say "run A frozen with its volume $pv Released ($(kubectl --kubeconfig $KC get pv $pv -o jsonpath='{.spec.claimRef.namespace}'))"
cat reports/two-a/.runs/*.namespaces
say "run B: smoke, to its end, on the same cluster"
SC_REPORTS_DIR=reports/two-b npx vitest run --project specs specs/smoke.spec.ts > reports/two-b.log 2>&1 || { say "run B failed"; tail -20 reports/two-b.log; }
grep -E "^stateful-conformance: (removed|removing)|^claims:" reports/two-b.log || true
if kubectl --kubeconfig $KC get pv "$pv" -o jsonpath='{.metadata.name} {.status.phase}{"\n"}'; then
  say "PASS: run B left run A's volume $pv alone"
else
  say "FAIL: run A's volume $pv is gone after run B"; exit 1
fi
say "run A resumed"
kill -CONT -- -$a
wait $a && say "run A ended" || say "run A exited non-zero"
grep -E "^claims:|Q1-16 .*(passed|failed|broken)" reports/two-a.log | head -3
grep -q "^claims: 1 passed" reports/two-a.log && say "PASS: run A's Q1-16 passed after run B's teardown" || { say "FAIL: run A's Q1-16 did not pass"; tail -30 reports/two-a.log; npm run --silent cluster:down >/dev/null; exit 1; }
say "cluster down"
npm run --silent cluster:down >/dev/null
