package org.flotilla.model;

import java.lang.ref.SoftReference;

/**
 * What was made from a value that never changes (the bytes a codec wrote for it), kept with the value so that
 * writing it again is a copy. A stored object's record carries the memo of its version of the object, and every
 * change to the object makes a new version with an empty memo: get_all_records then encodes only the objects that
 * changed since the last call. Held softly, so the heap can take it back (the encodings of 10,000 VMs take ~82 MiB).
 *
 * <p>A memo is never part of what its value is: all memos are equal, as a value's equality must not depend on
 * whether it was encoded yet.
 */
public final class Memo {
    private volatile SoftReference<Object> kept;

    /** What was kept, or null if nothing was or the heap took it back. */
    public Object get() {
        SoftReference<Object> k = kept;
        return k == null ? null : k.get();
    }

    /** Keeps {@code value} in place of whatever was kept; racing writers each keep a correct value, one wins. */
    public void set(Object value) { kept = new SoftReference<>(value); }

    /** A value that carries a memo. */
    public interface Holder {
        Memo memo();
    }

    @Override
    public boolean equals(Object o) { return o instanceof Memo; }

    @Override
    public int hashCode() { return 0; }

    @Override
    public String toString() { return "Memo"; }
}
