package org.flotilla.db;

import java.util.Map;

/** What happened to one object after a given generation: add, mod or del, coalesced into one. */
public record Change(String className, String ref, String operation, long generation, Map<String, Object> snapshot) {
    public static final String ADD = "add";
    public static final String MOD = "mod";
    public static final String DEL = "del";
}
