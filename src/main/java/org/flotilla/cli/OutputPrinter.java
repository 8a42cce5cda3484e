package org.flotilla.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints command output the way xe does (cli_printer.ml). A record's names are padded to 4 more than the
 * longest: the first left-aligned, the rest right-aligned, each followed by ": value"; the printer adds
 * a newline to a record that already ends in one, so two blank lines follow each record. With --minimal
 * a table becomes its records' first values and values are joined by commas, commas escaped.
 */
final class OutputPrinter {
    private final PrintStream out;
    private final boolean minimal;
    private final List<String> minimalParts = new ArrayList<>();

    OutputPrinter(PrintStream out, boolean minimal) {
        this.out = out;
        this.minimal = minimal;
    }

    void print(Output output) {
        if (minimal) collectMinimal(output);
        else printFull(output);
    }

    /** xe prints the minimal line once the command has finished, even when empty. */
    void finish() {
        if (minimal) out.println(String.join(",", minimalParts));
    }

    private void printFull(Output output) {
        switch (output) {
            case Output.Table t -> {
                for (List<Output.Line> record : t.records()) out.println(record(record) + "\n");
            }
            case Output.Values v -> v.values().forEach(out::println);
            case Output.Message m -> out.println(m.text());
            case Output.Sequence q -> q.parts().forEach(this::printFull);
        }
    }

    private void collectMinimal(Output output) {
        switch (output) {
            case Output.Table t -> {
                if (t.records().isEmpty() || t.records().stream().anyMatch(List::isEmpty)) return;
                minimalParts.add(String.join(",", t.records().stream().map(r -> escapeCommas(r.getFirst().value())).toList()));
            }
            case Output.Values v -> minimalParts.add(String.join(",", v.values().stream().map(OutputPrinter::escapeCommas).toList()));
            case Output.Message m -> { }
            case Output.Sequence q -> q.parts().forEach(this::collectMinimal);
        }
    }

    static String record(List<Output.Line> lines) {
        int width = 4 + lines.stream().mapToInt(l -> l.name().length()).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String name = lines.get(i).name();
            String padding = " ".repeat(Math.max(0, width - name.length()));
            sb.append(i == 0 ? name + padding : padding + name).append(": ").append(lines.get(i).value()).append('\n');
        }
        return sb.toString();
    }

    static String escapeCommas(String s) { return s.replace("\\", "\\\\").replace(",", "\\,"); }
}
