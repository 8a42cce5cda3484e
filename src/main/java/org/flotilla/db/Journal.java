package org.flotilla.db;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where the database keeps what must survive a crash. Only operations on persistent classes reach it.
 * {@link #append} returns once the transaction is durable (fsync'd): the database acknowledges a
 * change to a client only after that.
 */
public interface Journal extends AutoCloseable {

    /** Feeds the last snapshot's objects (as Put operations) and then every later transaction, in order. */
    void recover(Consumer<Transaction> replay);

    void append(Transaction tx);

    /** Whether the journal has grown enough that a snapshot would pay off. */
    boolean wantsCompaction();

    /**
     * Replaces the journal with a snapshot of the state at {@code generation}: the supplier gives every
     * persistent object as a Put. Called with the database's write lock held.
     */
    void compact(long generation, Supplier<Iterable<Op.Put>> state);

    @Override
    void close();

    /** A journal that keeps nothing, for tests of the in-memory behaviour. */
    Journal NONE = new Journal() {
        @Override public void recover(Consumer<Transaction> replay) { }
        @Override public void append(Transaction tx) { }
        @Override public boolean wantsCompaction() { return false; }
        @Override public void compact(long generation, Supplier<Iterable<Op.Put>> state) { }
        @Override public void close() { }
    };
}
