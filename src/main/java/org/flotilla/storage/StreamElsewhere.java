package org.flotilla.storage;

import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;

/**
 * How the coordinator has the member a VM runs on merge a base copy into that VM's running disk, on a shared SR: there,
 * through the API, {@code host.call_plugin(member, }{@value #PLUGIN}{@code , }{@value #STREAM}{@code , {vdi: uuid})}, as
 * XAPI's SM garbage collector on the pool master has the host running a VM do what needs its tapdisk (its "on-slave"
 * plugin). The member streams with its QEMU and answers once the base copy is out of the VM's chain; the records are the
 * coordinator's to write.
 */
@FunctionalInterface
public interface StreamElsewhere {
    String PLUGIN = "coalesce";
    String STREAM = "stream";
    String VDI_UUID = "vdi";

    void stream(Ref<Host> member, String vdiUuid);

    /** The plugin call's arguments. */
    static Map<String, String> args(String vdiUuid) { return Map.of(VDI_UUID, vdiUuid); }

    /** A host whose calls are not forwarded reaches no other host. */
    StreamElsewhere NONE = (member, vdi) -> { throw ApiError.of("CANNOT_CONTACT_HOST", member.value()); };
}
