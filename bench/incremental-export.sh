#!/usr/bin/env bash
# Xen Orchestra's incremental export (/export_raw_vdi with base=) against the full one (see IncrementalExportBench).
# Usage: bench/incremental-export.sh [runs=5] [disk-mib=256] [changed-pct=1]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.IncrementalExportBench "$@"
