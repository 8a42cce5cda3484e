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

/** An alert about an object, e.g. VM_CRASHED or VM_SHUTDOWN: raised by the host or by clients. */
public interface Message {
    ApiClass<Message> CLASS = ApiClass.declare(Message.class, "message")
            .doc("An alert about an object, e.g. VM_CRASHED or VM_SHUTDOWN: raised by the host or by clients.");

    Field<Message, String> uuid = CLASS.dyn("uuid", STRING).doc("The message's unique identifier.");
    Field<Message, String> name = CLASS.dyn("name", STRING).doc("What happened, e.g. VM_CRASHED, VM_SHUTDOWN, VM_REBOOTED.");
    Field<Message, Long> priority = CLASS.dyn("priority", INT).doc("How urgent it is, from 1 (most) to 5 (least).");
    Field<Message, Cls> cls = CLASS.dyn("cls", enumOf(Cls.class)).doc("The class of the object it is about (VM, Host, SR, ...).");
    Field<Message, String> obj_uuid = CLASS.dyn("obj_uuid", STRING).doc("The uuid of the object it is about.");
    Field<Message, Instant> timestamp = CLASS.dyn("timestamp", DATETIME).doc("When it was raised.");
    Field<Message, String> body = CLASS.dyn("body", STRING).doc("What happened, for people to read.");

    /** The messages of message that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Raise an alert about an object, given by its class and uuid. Returns the new message.")
        Ref<Message> create(String name, long priority, Cls cls, String obj_uuid, String body);

        @Doc("Delete a message.")
        void destroy(Ref<Message> self);

        @Doc("The messages raised after the given time, with their records.")
        @Api(role = Access.READ_ONLY)
        Map<Ref<Message>, Rec<Message>> get_since(Instant since);
    }
}
