package org.flotilla.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reading what a C library hands back: a pointer field of a struct, a NUL-terminated string. */
final class NativeMemory {
    private NativeMemory() {}

    /** The pointer at {@code offset} of the struct at {@code s}. */
    static MemorySegment pointer(MemorySegment s, long offset) {
        return s.reinterpret(offset + 8).get(ValueLayout.ADDRESS, offset);
    }

    /** The C string at {@code s} (at most 4 KiB of it); "" for NULL. */
    static String string(MemorySegment s) {
        return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(4096).getString(0);
    }
}
