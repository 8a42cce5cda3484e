package org.flotilla.cli;

import java.util.List;

/**
 * An xe command: what it needs, what it may take, what it says in "xe help", and what it does.
 *
 * @param standard whether "xe help" lists it among the common commands
 */
record Command(String name, List<String> required, List<String> optional, String help, boolean standard, Action action) {

    Command {
        required = List.copyOf(required);
        optional = List.copyOf(optional);
    }

    @FunctionalInterface
    interface Action {
        Output run(CommandContext ctx, CommandLine line);
    }
}
