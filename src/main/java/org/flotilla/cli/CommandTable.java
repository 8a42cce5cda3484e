package org.flotilla.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.flotilla.model.Model;

/**
 * Every xe command by name: the ones derived from the model for each class and for each message on one object,
 * then the hand-written ones.
 */
final class CommandTable {
    private final Map<String, Command> commands = new TreeMap<>();
    private final Map<String, List<String>> messagesNeeded = new TreeMap<>();

    CommandTable(Model model) {
        CliClasses classes = new CliClasses(model);
        for (CliClass cls : classes.all()) for (Command c : DerivedCommands.of(cls)) commands.put(c.name(), c);
        var entries = new ArrayList<>(ActionCommands.of(model, classes));
        entries.addAll(HandWrittenCommands.all());
        for (HandWrittenCommands.Entry e : entries) {
            commands.put(e.command().name(), e.command());
            messagesNeeded.put(e.command().name(), e.messages());
        }
        commands.put("help", HelpCommand.command(this));
        this.classes = classes;
    }

    private final CliClasses classes;

    CliClasses classes() { return classes; }

    Optional<Command> find(String name) { return Optional.ofNullable(commands.get(name)); }

    List<Command> all() { return new ArrayList<>(commands.values()); }

    /** The XenAPI messages a hand-written command calls; derived commands call only derived messages. */
    List<String> messagesNeeded(String command) { return messagesNeeded.getOrDefault(command, List.of()); }

    /** Fails the command if the server offers none of the messages it needs. */
    static void checkSupported(String command, List<String> needed, List<?> serverMethods) {
        if (needed.isEmpty()) return;
        Set<Object> offered = new HashSet<>(serverMethods);
        List<String> missing = needed.stream().filter(m -> !offered.contains(m)).toList();
        if (missing.size() == needed.size()) {
            throw CliFailure.error("'" + command + "' is not supported by this server (it does not implement "
                    + String.join(", ", missing) + ")");
        }
    }
}
