#!/usr/bin/env bash
# Write latency through a member against through the coordinator: in a pool of daemons in network namespaces (3 by
# default), VM.set_name_description over HTTPS sent to the coordinator or to a member (which commits through the
# coordinator), alternately, with a kept session and with a one-shot client (new TLS connection, login, write,
# logout, as xe does); median and p99 of each and the ratio member / coordinator (see PoolWriteBench's javadoc).
# Usage: bench/pool-write.sh [key=value ...]   e.g. hosts=3 calls=500 one-shot-calls=100
# Needs root (network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
bash scripts/build-guest.sh >/dev/null 2>&1 || { echo "pool-write.sh: building the test guest failed (scripts/build-guest.sh)" >&2; exit 1; }
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
# The bench removes its namespaces (and kills what runs in them) itself, also on SIGINT/SIGTERM; a JVM killed
# outright leaves them to the next run of the pool tests' harness, which sweeps what a dead run left.
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.PoolWriteBench "$@"
