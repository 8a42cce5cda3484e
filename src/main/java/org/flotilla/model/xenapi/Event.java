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

/** The XenAPI's class event. */
public interface Event {
    ApiClass<Event> CLASS = ApiClass.declare(Event.class, "event", Shape.NOT_STORED);

    Field<Event, Object> snapshot = CLASS.dyn("snapshot", ANY);
    Field<Event, Long> id = CLASS.ro("id", INT);
    Field<Event, Instant> timestamp = CLASS.ro("timestamp", DATETIME);
    Field<Event, String> class_ = CLASS.ro("class", STRING);
    Field<Event, EventOperation> operation = CLASS.ro("operation", enumOf(EventOperation.class));
    Field<Event, String> ref = CLASS.ro("ref", STRING);
    Field<Event, String> obj_uuid = CLASS.ro("obj_uuid", STRING);

    /** The messages of event that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Wait for changes after a token to objects of the given classes (\"*\" for all)")
        @Api(role = Access.READ_ONLY, errors = {"EVENT_FROM_TOKEN_PARSE_FAILURE", "SESSION_INVALID"})
        Object from(List<String> classes, String token, double timeout);

        @Doc("Mark an object changed, so that it appears in the next event.from; returns a token")
        @Api(role = Access.READ_ONLY)
        String inject(@Wire("class") String _class, String ref);

        @Api(role = Access.READ_ONLY)
        long get_current_id();

        @Doc("Subscribe this session to events of the given classes, read with event.next")
        @Api(role = Access.READ_ONLY)
        void register(List<String> classes);

        @Api(role = Access.READ_ONLY)
        void unregister(List<String> classes);

        @Doc("Wait for and return the events since the last call")
        @Api(role = Access.READ_ONLY, errors = {"SESSION_NOT_REGISTERED", "EVENTS_LOST"})
        Object next();
    }
}
