package org.flotilla.db;

import java.util.Map;

/**
 * What a transaction proposed to a replicated database took for granted about an object it changes: the value
 * of one field ({@code field} named), or every stored field ({@code field} null, {@code value} the field map),
 * as the proposer read them. The group applies the transaction only if they still hold when its turn comes, so
 * a member writing from a copy that lagged behind never undoes a change it had not seen.
 */
public record Expectation(String className, String ref, String field, Object value) {
    public Expectation {
        if (field == null && !(value instanceof Map<?, ?>)) throw new IllegalArgumentException("a whole-record expectation needs the fields");
    }

    /** The transaction this was part of was not applied: another change to the object came first. */
    public static final class Unmet extends RuntimeException {
        private final long logIndex;

        public Unmet(long logIndex) {
            super("the pool database applied another change to an object first (log index " + logIndex + ")", null, false, false);
            this.logIndex = logIndex;
        }

        /** Where the rejected transaction stood in the log: the copy is at least there when it is thrown. */
        public long logIndex() { return logIndex; }
    }
}
