package org.flotilla.cli;

import java.util.Map;
import org.flotilla.model.ApiClass;

/** One object as fetched: its class, reference and field values by datamodel name. */
record ObjectRecord(CliClass cls, String ref, Map<String, Object> record) {
    /** The record read through the typed fields of {@code type}, the class this object is known to be of. */
    <C> RemoteRecord<C> as(ApiClass<C> type) { return new RemoteRecord<>(type.ref(ref), record); }
}
