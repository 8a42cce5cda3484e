package org.flotilla.db;

import java.util.List;

/** Operations applied together, all or none, as database generation {@code generation}. */
public record Transaction(long generation, long timeMillis, List<Op> ops) {
    public Transaction { ops = List.copyOf(ops); }
}
