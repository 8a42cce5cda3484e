package org.flotilla.model;

/** A field of a declared class: stored ({@link Field}) or derived from references to it ({@link Relation}). */
public sealed interface Member<C> permits Field, Relation {
    String name();

    ApiClass<C> owner();

    /** The field as the metamodel describes it. */
    FieldDef def();
}
