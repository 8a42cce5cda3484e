package org.flotilla.cli;

import java.util.List;
import java.util.Map;
import org.flotilla.model.DataType;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.Relation;

/** An object's record as the server sent it, read through its class's typed fields and relations. */
record RemoteRecord<C>(Ref<C> ref, Map<String, Object> values) {
    /** The field's value; null if the server did not send it, or sent what this client's model does not know. */
    <T> T get(Field<C, T> field) { return WireValues.read(field.type(), values.get(field.name())); }

    /** The objects of the relation; none if the server did not send it. */
    <D> List<Ref<D>> get(Relation<C, D> relation) {
        List<Ref<D>> refs = WireValues.read(DataType.setOf(DataType.ref(relation.back().owner().type())), values.get(relation.name()));
        return refs == null ? List.of() : refs;
    }
}
