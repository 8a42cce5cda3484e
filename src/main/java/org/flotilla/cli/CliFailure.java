package org.flotilla.cli;

import java.util.List;

/** A failed command: the lines xe writes to standard error, and its exit code (always 1, as xe's). */
final class CliFailure extends RuntimeException {
    private final List<String> stderrLines;
    private final int exitCode;

    CliFailure(List<String> stderrLines, int exitCode) {
        super(String.join("\n", stderrLines), null, false, false);
        this.stderrLines = List.copyOf(stderrLines);
        this.exitCode = exitCode;
    }

    List<String> stderrLines() { return stderrLines; }

    int exitCode() { return exitCode; }

    /** xe's param_error: the message, then where to get help. */
    static CliFailure paramError(String prefix, String text) {
        String first = prefix.isEmpty() ? text : prefix + ": " + text;
        return new CliFailure(List.of(first, "For usage run: 'xe help'"), 1);
    }

    /** A failure in the CLI's own logic, which XAPI reports as an internal error carrying "Failure: ...". */
    static CliFailure failure(String message) {
        return new CliFailure(ErrorReport.lines("INTERNAL_ERROR", List.of("Failure: " + message)), 1);
    }

    /** Cli_failure / Record_failure: a plain "Error: ..." line. */
    static CliFailure error(String message) { return new CliFailure(List.of("Error: " + message), 1); }

    static CliFailure usage() { return new CliFailure(List.of(Usage.TEXT), 1); }
}
