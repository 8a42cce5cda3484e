package org.flotilla.cli;

import java.io.Console;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The terminal of the process xe runs in. On a real terminal the line discipline is set raw for the console's time (as
 * XAPI's xe does), so that keys such as Ctrl-C and arrows reach the console rather than xe, and restored after.
 */
final class LocalTerminal implements Terminal {
    private final InputStream keys;
    private final PrintStream screen;
    private final boolean tty;

    LocalTerminal(InputStream keys, PrintStream screen) {
        this.keys = keys;
        this.screen = screen;
        Console console = System.console();
        this.tty = keys == System.in && console != null && console.isTerminal();
    }

    @Override
    public boolean interactive() { return tty; }

    @Override
    public void attach(Link console) {
        String saved = tty ? stty("-g") : null;
        if (tty) {
            System.err.print("Connected to the console. Press Ctrl-] to quit.\r\n");
            stty("raw", "-echo");
        }
        // keys are read on a thread of their own, that the end of the console leaves behind in its blocking read
        Thread typing = Thread.ofPlatform().daemon().name("xe-keys").start(() -> {
            Terminal.copy(keys, console.out(), true);
            console.close();
        });
        try {
            Terminal.copy(console.in(), screen, false);
        } finally {
            console.close();
            typing.interrupt();
            if (saved != null) {
                stty(saved.trim());
                System.err.print("\r\n");
            }
        }
    }

    /** Runs stty on the controlling terminal; its output (for -g, the settings), or null if it failed. */
    private static String stty(String... args) {
        List<String> command = new ArrayList<>(List.of("stty"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectInput(new File("/dev/tty")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
