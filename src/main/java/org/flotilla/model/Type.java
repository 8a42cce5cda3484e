package org.flotilla.model;

import java.util.List;

/**
 * The types of the XenAPI. Values of each type live in Java as:
 * string/enum/ref → {@link String}, int → {@link Long}, float → {@link Double}, bool → {@link Boolean},
 * datetime → {@link java.time.Instant}, set → unmodifiable {@link List}, map → unmodifiable ordered
 * {@link java.util.Map} with typed keys, record → {@code Map<String,Object>} of field values.
 * The wire codecs and the journal rely on this mapping and on nothing else.
 */
public sealed interface Type {

    record Str() implements Type {}
    record Int() implements Type {}
    record Float() implements Type {}
    record Bool() implements Type {}
    record DateTime() implements Type {}
    record Enum(String name, List<String> values) implements Type {
        public Enum { values = List.copyOf(values); }
    }
    record Ref(String className) implements Type {}
    record Set(Type element) implements Type {}
    record Map(Type key, Type value) implements Type {}
    /** A whole object of a class, as get_record returns and create takes. */
    record Record(String className) implements Type {}
    /** A value of any shape, passed through as decoded (event.from's result, for one). */
    record Any() implements Type {}
    record Void() implements Type {}

    Type STRING = new Str();
    Type INT = new Int();
    Type FLOAT = new Float();
    Type BOOL = new Bool();
    Type DATETIME = new DateTime();
    Type ANY = new Any();
    Type VOID = new Void();
    Type STRING_SET = new Set(STRING);
    Type STRING_MAP = new Map(STRING, STRING);

    static Type ref(String cls) { return new Ref(cls); }
    static Type setOf(Type t) { return new Set(t); }
    static Type mapOf(Type k, Type v) { return new Map(k, v); }
    static Type record(String cls) { return new Record(cls); }

    /** The type as XAPI's documentation writes it, e.g. "VM ref set", "(string -> string) map". */
    default String describe() {
        return switch (this) {
            case Str s -> "string";
            case Int i -> "int";
            case Float f -> "float";
            case Bool b -> "bool";
            case DateTime d -> "datetime";
            case Enum e -> "enum " + e.name();
            case Ref r -> r.className() + " ref";
            case Set s -> s.element().describe() + " set";
            case Map m -> "(" + m.key().describe() + " -> " + m.value().describe() + ") map";
            case Record r -> r.className() + " record";
            case Any a -> "any";
            case Void v -> "void";
        };
    }
}
