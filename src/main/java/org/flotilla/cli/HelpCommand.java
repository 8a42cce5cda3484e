package org.flotilla.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * "xe help" lists the common commands (or all with --all), "xe help &lt;cmd&gt;" shows one command's
 * parameters, laid out as rio_help in cli_frontend.ml does.
 */
final class HelpCommand {
    private HelpCommand() {}

    private static final String HEADER = "Usage:\n  xe <command>\n" + Usage.OPTIONS.replace(
            "    [ --minimal ]              Output only values in a comma-separated lists\n", "")
            + "\nTo get help on a specific command:\n  xe help <command>\n\n";

    static Command command(CommandTable table) {
        return new Command("help", List.of(), List.of("all"), "Display help on a command.", false,
                (ctx, line) -> help(table, line));
    }

    /** Help needs no session: it is answered from the model alone. */
    static Output help(CommandTable table, CommandLine line) {
        List<String> asked = line.params().keySet().stream()
                .filter(k -> !List.of("server", "username", "password", "port", "minimal", "all").contains(k)).toList();
        if (!asked.isEmpty()) {
            List<List<Output.Line>> records = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            for (String name : asked) {
                table.find(name).ifPresentOrElse(c -> records.add(List.of(
                        new Output.Line("command name        ", c.name()),
                        new Output.Line("reqd params     ", String.join(", ", c.required())),
                        new Output.Line("optional params ", String.join(", ", c.optional())),
                        new Output.Line("description     ", c.help()))), () -> unknown.add("Unknown command '" + name + "'"));
            }
            return unknown.isEmpty() ? new Output.Table(records) : new Output.Values(unknown);
        }
        boolean all = line.flag("all");
        List<String> names = table.all().stream().filter(c -> all || c.standard()).map(Command::name).toList();
        if (line.flag("minimal")) return new Output.Values(names); // the minimal printer joins them with commas
        List<String> out = new ArrayList<>();
        if (all) {
            List<String> host = names.stream().filter(n -> n.startsWith("host-")).toList();
            List<String> vm = names.stream().filter(n -> n.startsWith("vm-")).toList();
            List<String> other = names.stream().filter(n -> !n.startsWith("host-") && !n.startsWith("vm-")).toList();
            out.add(HEADER + "Full command list\n-----------------");
            out.addAll(wrap(host));
            out.add("    ");
            out.addAll(wrap(vm));
            out.add("    ");
            out.addAll(wrap(other));
        } else {
            out.add(HEADER + "To get a full listing of commands:\n  xe help --all\n\nCommon command list\n-------------------");
            out.addAll(wrap(names));
        }
        return new Output.Values(out);
    }

    /** Comma-separated names in lines of at most ~74 characters, indented by four (make_list). */
    static List<String> wrap(List<String> names) {
        List<String> lines = new ArrayList<>();
        if (names.isEmpty()) return List.of("    ");
        String cur = "    " + names.getFirst();
        for (String n : names.subList(1, names.size())) {
            if (cur.length() + n.length() > 74) {
                lines.add(cur);
                cur = "    " + n;
            } else {
                cur = cur + ", " + n;
            }
        }
        lines.add(cur);
        return lines;
    }
}
