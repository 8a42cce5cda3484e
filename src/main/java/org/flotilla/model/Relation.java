package org.flotilla.model;

import java.util.List;
import java.util.function.Supplier;

/**
 * A derived set field of class {@code C}: every object of class {@code D} whose field {@code back} refers to it
 * (VM.VBDs collects VBD.VM). Never stored; the database computes it.
 */
public final class Relation<C, D> implements Member<C> {
    private final ApiClass<C> owner;
    private final String name;
    private final Supplier<Field<D, Ref<C>>> back;
    private String doc = "";

    Relation(ApiClass<C> owner, String name, Supplier<Field<D, Ref<C>>> back) {
        this.owner = owner;
        this.name = name;
        this.back = back;
    }

    public Relation<C, D> doc(String text) {
        this.doc = text;
        return this;
    }

    @Override public String name() { return name; }

    @Override public ApiClass<C> owner() { return owner; }

    /** The field of the other class whose references this set collects (resolved late: declarations refer to each other). */
    public Field<D, Ref<C>> back() { return back.get(); }

    @Override
    public FieldDef def() {
        Field<D, Ref<C>> b = back();
        return new FieldDef(name, Type.setOf(Type.ref(b.owner().name())), Qualifier.DYNAMIC_RO, List.of(), b.owner().name() + "." + b.name(), doc);
    }

    @Override
    public String toString() { return owner.name() + "." + name; }
}
