#!/usr/bin/env bash
# Disk export and import over HTTPS, raw, VHD and qcow2, against qemu-img convert of the same disk (see DiskStreamsBench's javadoc).
# Usage: bench/disk-streams.sh [runs=3] [disk-mib=256] [client=curl|java]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.DiskStreamsBench "$@"
