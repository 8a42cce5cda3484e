package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.List;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiClass.Shape;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Wire;
import org.flotilla.model.xenapi.enums.EventOperation;

/** A change to an object, as event.from and event.next report it; only a shape of value, no events are stored. */
public interface Event {
    ApiClass<Event> CLASS = ApiClass.declare(Event.class, "event", Shape.NOT_STORED)
            .doc("A change to an object, as event.from and event.next report it; only a shape of value, no events are stored.");

    Field<Event, Object> snapshot = CLASS.dyn("snapshot", ANY).doc("The object's record after the change (none when it was deleted).");
    Field<Event, Long> id = CLASS.ro("id", INT).doc("The event's number: the database generation of the change.");
    Field<Event, Instant> timestamp = CLASS.ro("timestamp", DATETIME).doc("When the change happened; Flotilla sends 0.0.");
    Field<Event, String> class_ = CLASS.ro("class", STRING).doc("The class of the object that changed, in lower case (vm, vbd, ...).");
    Field<Event, EventOperation> operation = CLASS.ro("operation", enumOf(EventOperation.class)).doc("add, mod or del.");
    Field<Event, String> ref = CLASS.ro("ref", STRING).doc("The reference of the object that changed.");
    Field<Event, String> obj_uuid = CLASS.ro("obj_uuid", STRING)
            .doc("The uuid of the object that changed; Flotilla leaves it out (the snapshot has it).");

    /** The messages of event that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Wait (up to timeout seconds) for changes after a token to objects of the given classes (\"*\" for all).")
        @Api(role = Access.READ_ONLY, errors = {"EVENT_FROM_TOKEN_PARSE_FAILURE", "SESSION_INVALID"})
        Object from(List<String> classes, String token, double timeout);

        @Doc("Mark an object changed, so that the next event.from reports it. Returns the token before the change.")
        @Api(role = Access.READ_ONLY)
        String inject(@Wire("class") String _class, String ref);

        @Doc("The database's current generation, which event ids count.")
        @Api(role = Access.READ_ONLY)
        long get_current_id();

        @Doc("Subscribe this session to changes of the given classes, to be read with event.next.")
        @Api(role = Access.READ_ONLY)
        void register(List<String> classes);

        @Doc("End this session's subscriptions to the given classes.")
        @Api(role = Access.READ_ONLY)
        void unregister(List<String> classes);

        @Doc("Wait for changes the session subscribed to, and return those since its last call.")
        @Api(role = Access.READ_ONLY, errors = {"SESSION_NOT_REGISTERED", "EVENTS_LOST"})
        Object next();
    }
}
