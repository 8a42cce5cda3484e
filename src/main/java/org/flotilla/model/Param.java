package org.flotilla.model;

/** A message parameter; a non-null default makes it optional when trailing. */
public record Param(String name, Type type, Object defaultValue, String doc) {
    public boolean optional() { return defaultValue != null; }
}
