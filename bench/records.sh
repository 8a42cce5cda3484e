#!/usr/bin/env bash
# VM.get_all_records at 10,000 VMs over HTTPS keep-alive, JSON-RPC beside XML-RPC (plain and gzip) in the same rounds
# (see RecordsBench's javadoc). Usage: bench/records.sh [vms=10000] [rounds=11]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.RecordsBench "$@"
