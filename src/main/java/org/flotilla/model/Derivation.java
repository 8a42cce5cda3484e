package org.flotilla.model;

/** How a derived message follows from the datamodel; dispatch implements each kind once for all classes. */
public sealed interface Derivation {
    record GetRecord() implements Derivation {}
    record GetByUuid() implements Derivation {}
    record GetByNameLabel() implements Derivation {}
    record GetAll() implements Derivation {}
    record GetAllRecords() implements Derivation {}
    record GetAllRecordsWhere() implements Derivation {}
    record Create() implements Derivation {}
    record Destroy() implements Derivation {}
    record GetField(FieldDef field) implements Derivation {}
    record SetField(FieldDef field) implements Derivation {}
    record AddToMap(FieldDef field) implements Derivation {}
    record RemoveFromMap(FieldDef field) implements Derivation {}
    record AddToSet(FieldDef field) implements Derivation {}
    record RemoveFromSet(FieldDef field) implements Derivation {}
}
