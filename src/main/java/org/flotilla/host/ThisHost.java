package org.flotilla.host;

import org.flotilla.api.CallElsewhere;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;

/**
 * The host this daemon runs, among the hosts of its pool. A call that XAPI would forward to another host (one about
 * that host, or about a VM running there) fails here with CANNOT_CONTACT_HOST naming that host, as XAPI reports a
 * forward it could not make, unless the dispatcher can forward it ({@link CallElsewhere}).
 */
public record ThisHost(Ref<Host> ref) {
    public boolean is(Ref<Host> host) { return ref.equals(host); }

    /** The call is about {@code host}: it runs only there. */
    public void require(Ref<Host> host) {
        if (!is(host)) throw belongsTo(host);
    }

    /** The call acts on the VM's domain: it runs only on the host the VM is resident on, if it is resident anywhere. */
    public void requireResident(DbObject<VM> vm) {
        Ref<Host> resident = vm.get(VM.resident_on);
        if (!resident.isNull() && !is(resident)) throw belongsTo(resident);
    }

    /** The error of a call that belongs to {@code host}, another than this one: the dispatcher forwards the call there. */
    public static ApiError belongsTo(Ref<Host> host) { return new CallElsewhere(host); }
}
