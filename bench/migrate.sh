#!/usr/bin/env bash
# Live migration: XenAPI VM.pool_migrate between two daemons in network namespaces against QEMU's own migration of
# the same guest (the daemon's argv, launched by hand, QMP migrate tcp:) between the same namespaces, in the same run;
# total time and downtime (query-migrate's) of each, and the ratios (see MigrateBench's javadoc).
# Usage: bench/migrate.sh [key=value ...]   e.g. runs=5 memory-mib=512 mode=idle|dirty dirty-mib=64
# Needs root (network namespaces, jailed QEMUs) and the test guest (built here if missing, see scripts/build-guest.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
bash scripts/build-guest.sh >/dev/null 2>&1 || { echo "migrate.sh: building the test guest failed (scripts/build-guest.sh)" >&2; exit 1; }
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
# The bench removes its namespaces (and kills what runs in them) itself, also on SIGINT/SIGTERM; a JVM killed
# outright leaves them to the next run of the pool tests' harness, which sweeps what a dead run left.
# the daemons run with C2 as bin/flotilla runs them (the tests' daemons stop at C1), so that TLS is timed as deployed
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dflotilla.test-daemon-full-jit=true \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.MigrateBench "$@"
