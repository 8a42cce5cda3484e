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
    record GetField(Field field) implements Derivation {}
    record SetField(Field field) implements Derivation {}
    record AddToMap(Field field) implements Derivation {}
    record RemoveFromMap(Field field) implements Derivation {}
    record AddToSet(Field field) implements Derivation {}
    record RemoveFromSet(Field field) implements Derivation {}
}
