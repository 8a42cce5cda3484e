package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.time.Instant;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.Cls;

/** The XenAPI's class message. */
public interface Message {
    ApiClass<Message> CLASS = ApiClass.declare(Message.class, "message");

    Field<Message, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<Message, String> name = CLASS.dyn("name", STRING);
    Field<Message, Long> priority = CLASS.dyn("priority", INT);
    Field<Message, Cls> cls = CLASS.dyn("cls", enumOf(Cls.class));
    Field<Message, String> obj_uuid = CLASS.dyn("obj_uuid", STRING);
    Field<Message, Instant> timestamp = CLASS.dyn("timestamp", DATETIME);
    Field<Message, String> body = CLASS.dyn("body", STRING);

    /** The messages of message that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Record an alert about an object")
        Ref<Message> create(String name, long priority, Cls cls, String obj_uuid, String body);

        void destroy(Ref<Message> self);

        @Doc("The alerts raised after a time")
        @Api(role = Access.READ_ONLY)
        Map<Ref<Message>, Rec<Message>> get_since(Instant since);
    }
}
