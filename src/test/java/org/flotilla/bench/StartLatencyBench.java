package org.flotilla.bench;

import org.junit.jupiter.api.Test;

/**
 * VM.start latency against raw QEMU with the same command line: {@link VmBench}'s first section alone, for
 * {@code mvn test -Dtest=StartLatencyBench} (output in the surefire report). Not part of the suite (no *Test
 * name); {@code bench/vm.sh} runs every section and prints to the terminal.
 */
class StartLatencyBench {
    @Test
    void measure() throws Exception {
        VmBench.main(new String[] {"sections=latency", "runs=" + Integer.getInteger("runs", 7)});
    }
}
