#!/usr/bin/env bash
# VM.clone, VM.snapshot and VM.checkpoint of a VM with a 1 GiB and one with a 20 GiB disk, halted and running, in the
# same run: the time must not grow with the disk (see SnapshotBench's javadoc).
# Usage: bench/snapshot.sh [key=value ...]   e.g. runs=5 small-gib=1 large-gib=20 data-mib=64 memory-mib=128
# Needs root (each QEMU runs in its VM's jail), qemu-io, and the test guest (built here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
bash scripts/build-guest.sh >/dev/null 2>&1 || { echo "snapshot.sh: building the test guest failed (scripts/build-guest.sh)" >&2; exit 1; }
mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.SnapshotBench "$@"
