package org.flotilla.cli;

import java.util.List;

/** What a command prints, in the shapes of XAPI's Cli_printer: tables of records, or plain values. */
sealed interface Output {
    /** A (name, value) line of a record; the name carries its qualifier, e.g. "uuid ( RO)". */
    record Line(String name, String value) {}

    record Table(List<List<Line>> records) implements Output {
        public Table { records = List.copyOf(records); }
    }

    record Values(List<String> values) implements Output {
        public Values { values = List.copyOf(values); }
    }

    /** A line of text between tables, as "Disk 0 VBD:" in vm-disk-list; not part of --minimal output. */
    record Message(String text) implements Output {}

    /** Several outputs one after the other. */
    record Sequence(List<Output> parts) implements Output {
        public Sequence { parts = List.copyOf(parts); }
    }

    Output NOTHING = new Values(List.of());

    static Output value(String v) { return new Values(List.of(v)); }
}
