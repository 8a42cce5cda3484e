package org.flotilla.model;

/**
 * A stored field of class {@code C} whose values are {@code T}: what code reads and writes instead of naming the
 * field by a string, so that a field renamed in its declaration breaks every use at compile time.
 */
public final class Field<C, T> implements Member<C> {
    private final ApiClass<C> owner;
    private final String name;
    private final DataType<T> type;
    private final Qualifier qualifier;
    private final T defaultValue;
    private String doc = "";

    Field(ApiClass<C> owner, String name, DataType<T> type, Qualifier qualifier, T defaultValue) {
        this.owner = owner;
        this.name = name;
        this.type = type;
        this.qualifier = qualifier;
        this.defaultValue = defaultValue;
    }

    /** Describes the field (while it is declared). */
    public Field<C, T> doc(String text) {
        this.doc = text;
        return this;
    }

    @Override public String name() { return name; }

    @Override public ApiClass<C> owner() { return owner; }

    public DataType<T> type() { return type; }

    public Qualifier qualifier() { return qualifier; }

    public boolean writable() { return qualifier == Qualifier.RW; }

    /** A stored value of this field as Java sees it. */
    public T decode(Object stored) { return stored == null ? null : type.decode(stored); }

    /** A Java value of this field as it is stored and sent. */
    public Object encode(T value) { return value == null ? null : type.encode(value); }

    @Override
    public FieldDef def() {
        Object def = defaultValue == null ? ClassDef.zero(type.type()) : type.encode(defaultValue);
        return new FieldDef(name, type.type(), qualifier, def, null, doc);
    }

    @Override
    public String toString() { return owner.name() + "." + name; }
}
