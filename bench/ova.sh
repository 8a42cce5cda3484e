#!/usr/bin/env bash
# VMware conversion: an OVA imported with PUT /import against qemu-img convert of its VMDK (see OvaBench's javadoc).
# Usage: bench/ova.sh [runs=5] [disk-mib=256]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.flotilla.bench.OvaBench "$@"
