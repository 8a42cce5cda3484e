package org.flotilla.storage;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary names ({@link SrDriver#temporary}) in use outside their SR's lock, for as long as an import lasts: its
 * overlay, an uploaded image waiting to be checked and converted. A scan removes temporaries as a crash's leftovers,
 * and must leave these, which it could otherwise take from under an import running meanwhile. Names are unique, so one
 * set serves every host of a JVM.
 */
final class HeldTemporaries {
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    private HeldTemporaries() {}

    /** A new temporary name for {@code purpose}, held until {@link #release}. */
    static String hold(String purpose) {
        String name = SrDriver.temporary(purpose);
        HELD.add(name);
        return name;
    }

    static void release(String name) { HELD.remove(name); }

    static boolean held(String name) { return HELD.contains(name); }
}
