#!/usr/bin/env bash
# Pool formation: the time to make a pool of N hosts (scripts/pool-demo.sh up N: N daemons in network namespaces,
# N-1 of them joined with xe pool-join), against the baseline of the same N daemons started as pools of their own
# (scripts/pool-demo.sh hosts N), in the same run. The ratio is what joining costs over starting. Also what the
# daemons of the pool hold in memory (resident, mean and most): 64 hosts take 64 of them on this one machine.
# Usage: bench/pool.sh [N ...]   (default: 3 16; 64 needs ~20 GB free, see scripts/pool-demo.sh's settings)
# Needs root and a build (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export FLOTILLA_DEMO="${FLOTILLA_DEMO:-/var/tmp/flotilla-pool-bench}"
trap 'scripts/pool-demo.sh down >/dev/null 2>&1 || true' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(3 16)

# Resident MiB of each running daemon of the demo (its JVM: the process bin/flotilla became).
daemons_rss() {
    for pidfile in "$FLOTILLA_DEMO"/h*/pid; do
        local pid
        pid="$(cat "$pidfile")"
        # the pid is ip netns exec's, which execs unshare, sh, then the JVM: the same process all along
        awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || :
    done
}

printf '%-8s %12s %12s %8s %14s %14s\n' hosts "started (s)" "pooled (s)" ratio "RSS mean MiB" "RSS max MiB"
for n in "${sizes[@]}"; do
    t0=$(date +%s.%N); scripts/pool-demo.sh hosts "$n" >/dev/null; t1=$(date +%s.%N)
    scripts/pool-demo.sh down >/dev/null
    t2=$(date +%s.%N); scripts/pool-demo.sh up "$n" >/dev/null; t3=$(date +%s.%N)
    rss="$(daemons_rss | awk '{s += $1; if ($1 > m) m = $1} END {if (NR) printf "%d %d", s / NR, m; else printf "- -"}')"
    scripts/pool-demo.sh down >/dev/null
    awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v rss="$rss" \
        'BEGIN { split(rss, r, " "); s = b - a; p = d - c; printf "%-8s %12.1f %12.1f %8.2f %14s %14s\n", n, s, p, p / s, r[1], r[2] }'
done
