package org.flotilla.db;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Keeps the transactions in memory and replays them: a second Node over it is a restart of the first without files. */
public final class MemoryJournal implements Journal {
    private final List<Transaction> log = new ArrayList<>();

    @Override public synchronized void recover(Consumer<Transaction> replay) { log.forEach(replay); }

    @Override public synchronized void append(Transaction tx) { log.add(tx); }

    @Override public boolean wantsCompaction() { return false; }

    @Override public void compact(long generation, Supplier<Iterable<Op.Put>> state) { }

    @Override public void close() { }
}
