#!/usr/bin/env bash
# Pool formation: the time to make a pool of N hosts (scripts/pool-demo.sh up N: N daemons in network namespaces,
# N-1 of them joined with xe pool-join), against the baseline of the same N daemons started as pools of their own
# (scripts/pool-demo.sh hosts N), in the same run. The ratio is what joining costs over starting.
# Usage: bench/pool.sh [N ...]   (default: 3 16). Needs root and a build (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export FLOTILLA_DEMO="${FLOTILLA_DEMO:-/var/tmp/flotilla-pool-bench}"
trap 'scripts/pool-demo.sh down >/dev/null 2>&1 || true' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(3 16)
printf '%-8s %12s %12s %8s\n' hosts "started (s)" "pooled (s)" ratio
for n in "${sizes[@]}"; do
    t0=$(date +%s.%N); scripts/pool-demo.sh hosts "$n" >/dev/null; t1=$(date +%s.%N)
    scripts/pool-demo.sh down >/dev/null
    t2=$(date +%s.%N); scripts/pool-demo.sh up "$n" >/dev/null; t3=$(date +%s.%N)
    scripts/pool-demo.sh down >/dev/null
    awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" \
        'BEGIN { s = b - a; p = d - c; printf "%-8s %12.1f %12.1f %8.2f\n", n, s, p, p / s }'
done
