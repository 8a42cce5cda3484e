#!/usr/bin/env bash
# The daemon's resident memory as deployed (bin/flotilla's JVM options) with 100 VM records and 10 running guests,
# after an API workload and settled, against bin/flotilla's options before the small daemon (ZGC, the heap sized by
# the JVM) in the same run (see DaemonMemoryBench's javadoc).
# Usage: bench/daemon-memory.sh [key=value ...]   e.g. vms=100 running=10 (or lists: vms=0,100,1000 running=0,10) guest-mib=96
#          workload-s=120 settle-s=120
#          nmt=off (no NMT breakdown: RSS without NMT's own few MiB)  histogram=true
#          variants=before,deployed,x opts.x="-XX:..." env.x=NAME=value,NAME=value  (x: a variant of your own)
# Needs root (each QEMU runs in its VM's jail) and the test guest (built here if missing, see scripts/build-guest.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
bash scripts/build-guest.sh >/dev/null 2>&1 || { echo "daemon-memory.sh: building the test guest failed (scripts/build-guest.sh)" >&2; exit 1; }
# the daemons run from target/flotilla.jar and target/lib, as bin/flotilla runs them
mvn -q -B -o -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null

# The bench stops its daemons, kills their QEMUs and removes this directory itself, also on SIGINT/SIGTERM; this trap
# is for a JVM that could not (SIGKILL, crash): by pid only, the daemons it recorded (checked to be a JVM naming this
# directory on its command line) and the QEMUs running in their jails under it.
STATE=$(mktemp -d /tmp/flotilla-membench.XXXXXX)
cleanup() {
    [ -d "$STATE" ] || return 0
    for f in "$STATE"/*/daemon.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null) || continue
        case "$pid" in ''|*[!0-9]*) continue ;; esac
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STATE"; then kill -9 "$pid" 2>/dev/null || true; fi
    done
    while IFS= read -r f; do
        pid=$(cat "$f" 2>/dev/null) || continue
        case "$pid" in ''|*[!0-9]*) continue ;; esac
        if [[ "$(readlink "/proc/$pid/root")" == "$STATE"/* ]]; then kill -9 "$pid" 2>/dev/null || true; fi
    done < <(find "$STATE" -maxdepth 6 \( -name qemu.pid -o -name swtpm.pid \) 2>/dev/null)
    rm -rf "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.DaemonMemoryBench state="$STATE" "$@"
