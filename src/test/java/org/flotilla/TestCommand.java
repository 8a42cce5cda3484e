package org.flotilla;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A command a test runs on the host (ip, qemu-img, ...), to its end; the test fails if it cannot be run at all. */
public final class TestCommand {
    private TestCommand() {}

    /** What the command printed (stdout and stderr together) and its exit status. */
    public record Result(int exit, String output) {}

    public static Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
