package org.flotilla.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.flotilla.model.Declarations;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;

/** The index of the classes' code holds every Actions interface of the model, once. */
class XenApiActionsTest {
    @Test
    void everyClassWithDeclaredMessagesHasItsComponent() {
        Set<Class<?>> declared = XenApi.DECLARATIONS.stream().map(Declarations::actions).filter(Objects::nonNull)
                .collect(Collectors.toSet());
        var components = Arrays.stream(XenApiActions.class.getRecordComponents()).map(RecordComponent::getType).toList();
        assertEquals(components.size(), Set.copyOf(components).size(), "a class with two components: " + components);
        assertEquals(declared, Set.copyOf(components));
    }
}
