package org.flotilla;

import java.nio.file.Path;
import java.util.List;
import org.flotilla.qemu.TestGuest;

/**
 * The JVM options of a daemon process a test starts: bin/flotilla's own ({@code bin/flotilla-jvm.options}, read by the
 * java launcher as an argument file), so that the tests run the heap and collector users run — with the first JIT tier
 * alone: a daemon starts on less CPU, and several start at once on two cores, while these tests time nothing. A bench
 * asks for the JIT as deployed ({@code -Dflotilla.test-daemon-full-jit=true}, bench/lib.sh): TLS and the login's PBKDF2
 * are fast only once C2 has compiled them.
 */
public final class TestDaemonJvm {
    /** The daemon's JVM options, one file for bin/flotilla and the tests. */
    public static final Path OPTIONS = TestGuest.REPO.resolve("bin/flotilla-jvm.options");

    private TestDaemonJvm() {}

    public static List<String> options() {
        if (Boolean.getBoolean("flotilla.test-daemon-full-jit")) return List.of("@" + OPTIONS);
        return List.of("@" + OPTIONS, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");
    }
}
