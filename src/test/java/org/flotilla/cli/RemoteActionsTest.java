package org.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Rpc;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.junit.jupiter.api.Test;

/** xe's typed calls: what goes on the wire for a call through a class's Actions, and what comes back. */
class RemoteActionsTest {
    record Sent(String method, List<Object> params) {}

    final List<Sent> sent = new ArrayList<>();

    Rpc answering(Object answer) {
        return (method, params) -> {
            sent.add(new Sent(method, List.copyOf(params)));
            return answer;
        };
    }

    @Test
    void aCallSendsTheSessionThenTheArgumentsInWireForm() {
        Ref<VM> made = RemoteActions.of(VM.Actions.class, answering("OpaqueRef:new"), "OpaqueRef:s")
                .copy(VM.CLASS.ref("OpaqueRef:vm"), "copy", SR.CLASS.nullRef());
        assertEquals(List.of(new Sent("VM.copy", List.of("OpaqueRef:s", "OpaqueRef:vm", "copy", "OpaqueRef:NULL"))), sent);
        assertEquals(VM.CLASS.ref("OpaqueRef:new"), made);
    }

    @Test
    void trailingArgumentsAtTheirDefaultsAreLeftOut() {
        var vdis = RemoteActions.of(VDI.Actions.class, answering("OpaqueRef:new"), "OpaqueRef:s");
        vdis.copy(VDI.CLASS.ref("OpaqueRef:vdi"), SR.CLASS.ref("OpaqueRef:sr"), VDI.CLASS.nullRef(), VDI.CLASS.nullRef());
        RemoteActions.of(VM.Actions.class, answering("OpaqueRef:new"), "OpaqueRef:s").snapshot(VM.CLASS.ref("OpaqueRef:vm"), "snap", List.of());
        vdis.snapshot(VDI.CLASS.ref("OpaqueRef:vdi"), Map.of("k", "v"));
        assertEquals(List.of(new Sent("VDI.copy", List.of("OpaqueRef:s", "OpaqueRef:vdi", "OpaqueRef:sr")),
                new Sent("VM.snapshot", List.of("OpaqueRef:s", "OpaqueRef:vm", "snap")),
                new Sent("VDI.snapshot", List.of("OpaqueRef:s", "OpaqueRef:vdi", Map.of("k", "v")))), sent);
    }

    @Test
    void aSessionlessMessageCarriesNoSession() {
        RemoteActions.of(Session.Actions.class, answering("OpaqueRef:s"), null).login_with_password("root", "pw", "1.1", "cli");
        assertEquals(List.of(new Sent("session.login_with_password", List.of("root", "pw", "1.1", "cli"))), sent);
    }

    @Test
    void namesAreTakenFromTheCallsWithoutSendingThem() {
        assertEquals(List.of("VM.start", "VM.start_on"),
                RemoteActions.names(VM.Actions.class, a -> { a.start(null, false, false); a.start_on(null, null, false, false); }));
    }
}
