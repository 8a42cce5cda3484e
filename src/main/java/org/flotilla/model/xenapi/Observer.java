package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;

/** A tracing configuration that sends the toolstack's spans to endpoints; Flotilla makes none. */
public interface Observer {
    ApiClass<Observer> CLASS = ApiClass.declare(Observer.class, "Observer")
            .doc("A tracing configuration that sends the toolstack's spans to endpoints; Flotilla makes none.");

    Field<Observer, String> uuid = CLASS.dyn("uuid", STRING).doc("The observer's unique identifier, fixed for its whole life.");
    Field<Observer, String> name_label = CLASS.rw("name_label", STRING)
            .doc("A short name for people to know the observer by; it need not be unique.");
    Field<Observer, String> name_description = CLASS.rw("name_description", STRING).doc("A longer free-text description of the observer.");
    Field<Observer, List<Ref<Host>>> hosts = CLASS.ro("hosts", setOf(ref(Host.class))).doc("The hosts the observer traces.");
    Field<Observer, Map<String, String>> attributes = CLASS.ro("attributes", STRING_MAP).doc("Attributes added to every span.");
    Field<Observer, List<String>> endpoints = CLASS.ro("endpoints", STRING_SET).doc("Where spans are sent.");
    Field<Observer, List<String>> components = CLASS.ro("components", STRING_SET).doc("The components traced.");
    Field<Observer, Boolean> enabled = CLASS.ro("enabled", BOOL).doc("Whether the observer traces.");
}
