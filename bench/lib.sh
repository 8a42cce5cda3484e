# Shared by the bench scripts that run a bench class of the test tree against daemons in network namespaces.
# bench_java NAME CLASS [ARGS ...]: builds the test guest (if missing) and the test classes, then runs
# org.flotilla.bench.CLASS in place of the calling script.
bench_java() {
    local name="$1" class="$2"
    shift 2
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    : "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
    bash scripts/build-guest.sh >/dev/null 2>&1 || { echo "$name: building the test guest failed (scripts/build-guest.sh)" >&2; exit 1; }
    mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
    # The bench removes its namespaces (and kills what runs in them) itself, also on SIGINT/SIGTERM; a JVM killed
    # outright leaves them to the next run of the pool tests' harness, which sweeps what a dead run left.
    # the daemons run with C2 as bin/flotilla runs them (the tests' daemons stop at C1), so that TLS is timed as deployed
    exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dflotilla.test-daemon-full-jit=true \
      -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" "org.flotilla.bench.$class" "$@"
}
