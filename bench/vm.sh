#!/usr/bin/env bash
# VM start latency, memory per VM and density against raw QEMU in the same run (see VmBench's javadoc).
# Usage: bench/vm.sh [key=value ...]   e.g. runs=7 density-max=24 density-minutes=5 sections=latency,memory
# Needs root (each QEMU runs in its VM's jail) and the test guest (built here if missing, see scripts/build-guest.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
bash scripts/build-guest.sh >/dev/null 2>&1 || { echo "vm.sh: building the test guest failed (scripts/build-guest.sh)" >&2; exit 1; }
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null

# The bench kills its QEMUs and removes this directory itself, also on SIGINT/SIGTERM; this trap is for
# a JVM that could not (SIGKILL, crash): kill by pid only the QEMUs whose command line names this directory (raw
# ones) or that run in its jail root (Flotilla's).
STATE=$(mktemp -d /tmp/flotilla-vmbench.XXXXXX)
cleanup() {
    [ -d "$STATE" ] || return 0
    for f in "$STATE"/run/*/qemu.pid "$STATE"/raw/*/qemu.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null) || continue
        case "$pid" in ''|*[!0-9]*) continue ;; esac
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STATE" || [[ "$(readlink "/proc/$pid/root")" == "$STATE"/* ]]; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$STATE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.VmBench state="$STATE" "$@"
