package org.flotilla.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A XenAPI class as code knows it: the Java interface that declares it ({@code C}, e.g. {@code VM}), its name on
 * the wire, what kind of objects it has, and its fields in the order they are declared (which is the order
 * records show them in). The declaring interface holds it as {@code CLASS} and its fields as typed constants
 * made by {@link #rw}, {@link #ro}, {@link #dyn} and {@link #relation}, each under the field's own wire name.
 */
public final class ApiClass<C> {
    /** What kind of objects a class has, where it is not the usual: stored, listed, persistent, eventful, with messages of its own for create and destroy. */
    public enum Shape {
        /** A shape of value rather than a class of objects: no uuid, nothing stored, no derived messages. */
        NOT_STORED,
        /** No get_all, get_all_records or get_all_records_where: objects are reached one by one. */
        UNLISTED,
        /** Objects do not survive a restart. */
        TRANSIENT,
        /** Changes are no events: event.from and event.next never show them. */
        WITHOUT_EVENTS,
        /** create(record) stores the record and destroy(self) removes the object: no side effects. */
        PLAIN_LIFECYCLE,
        /** destroy(self) removes the object. */
        PLAIN_DESTROY
    }

    private static final Map<Class<?>, ApiClass<?>> DECLARED = new ConcurrentHashMap<>();

    private final Class<C> type;
    private final String name;
    private final EnumSet<Shape> shape;
    private final List<Member<C>> members = new ArrayList<>();
    private String doc = "";

    private ApiClass(Class<C> type, String name, EnumSet<Shape> shape) {
        this.type = type;
        this.name = name;
        this.shape = shape;
    }

    /** Declares the class {@code name}, whose declaring interface is {@code type}. */
    public static <C> ApiClass<C> declare(Class<C> type, String name, Shape... shape) {
        EnumSet<Shape> s = EnumSet.noneOf(Shape.class);
        s.addAll(List.of(shape));
        var c = new ApiClass<>(type, name, s);
        if (DECLARED.putIfAbsent(type, c) != null) throw new IllegalStateException(type + " declared twice");
        return c;
    }

    /** The class its interface declares (initialising the interface if nothing has yet). */
    @SuppressWarnings("unchecked")
    public static <C> ApiClass<C> of(Class<C> type) {
        ApiClass<?> c = DECLARED.get(type);
        if (c == null) {
            try {
                Class.forName(type.getName(), true, type.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            c = DECLARED.get(type);
            if (c == null) throw new IllegalArgumentException(type + " declares no XenAPI class");
        }
        return (ApiClass<C>) c;
    }

    /** Describes the class (while it is declared). */
    public ApiClass<C> doc(String text) {
        this.doc = text;
        return this;
    }

    public String name() { return name; }

    public Class<C> type() { return type; }

    public String doc() { return doc; }

    public boolean is(Shape s) { return shape.contains(s); }

    /** The fields, in declaration order. */
    public List<Member<C>> members() { return Collections.unmodifiableList(members); }

    /** A reference to an object of this class. */
    public Ref<C> ref(String value) { return new Ref<>(this, value); }

    /** {@code OpaqueRef:NULL}, as a reference to this class. */
    public Ref<C> nullRef() { return new Ref<>(this, Ref.NULL); }

    /** A read-write field: set by create and by set_&lt;field&gt;. */
    public <T> Field<C, T> rw(String field, DataType<T> t) { return add(new Field<>(this, field, t, Qualifier.RW, null)); }

    public <T> Field<C, T> rw(String field, DataType<T> t, T def) { return add(new Field<>(this, field, t, Qualifier.RW, def)); }

    /** A read-only field given at creation. */
    public <T> Field<C, T> ro(String field, DataType<T> t) { return add(new Field<>(this, field, t, Qualifier.STATIC_RO, null)); }

    public <T> Field<C, T> ro(String field, DataType<T> t, T def) { return add(new Field<>(this, field, t, Qualifier.STATIC_RO, def)); }

    /** A read-only field the server maintains. */
    public <T> Field<C, T> dyn(String field, DataType<T> t) { return add(new Field<>(this, field, t, Qualifier.DYNAMIC_RO, null)); }

    public <T> Field<C, T> dyn(String field, DataType<T> t, T def) { return add(new Field<>(this, field, t, Qualifier.DYNAMIC_RO, def)); }

    /** The derived set of objects of another class whose field {@code back} refers to this one. */
    public <D> Relation<C, D> relation(String field, Supplier<Field<D, Ref<C>>> back) {
        var r = new Relation<>(this, field, back);
        members.add(r);
        return r;
    }

    private <T> Field<C, T> add(Field<C, T> f) {
        members.add(f);
        return f;
    }

    @Override
    public String toString() { return name; }
}
