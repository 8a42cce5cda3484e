#!/usr/bin/env bash
# Storage XenMotion: XenAPI VM.migrate_send of a guest writing all over its 1 GiB disk, from one host's own SR to
# the other's, between two daemons in network namespaces, against the raw QMP sequence between two QEMUs launched by
# hand in the same namespaces over the same link (NBD export on the destination, blockdev-mirror on the source, then
# migrate), in the same run; total time, disk copy, downtime and the guest's pause of each, and the ratios (see
# SxmBench's javadoc).
# Usage: bench/sxm.sh [key=value ...]   e.g. runs=3 warmup=1 disk-mib=1024 memory-mib=256 writer-kib=64 writer-ms=10
#                                             copy-mode=write-blocking|background
# Needs root (network namespaces, jailed QEMUs), qemu-img and qemu-io, and the test guest (built here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
bash scripts/build-guest.sh >/dev/null 2>&1 || { echo "sxm.sh: building the test guest failed (scripts/build-guest.sh)" >&2; exit 1; }
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
# The bench removes its namespaces (and kills what runs in them) itself, also on SIGINT/SIGTERM; a JVM killed
# outright leaves them to the next run of the pool tests' harness, which sweeps what a dead run left.
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.SxmBench "$@"
