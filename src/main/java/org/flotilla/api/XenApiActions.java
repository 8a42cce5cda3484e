package org.flotilla.api;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Objects;
import org.flotilla.model.xenapi.Event;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Message;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Task;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VTPM;

/**
 * Where the declared messages of each XenAPI class are served, as XAPI's {@code Actions} module: one
 * implementation per class with declared messages. The daemon cannot be built while one is missing (the
 * record wants them all), an implementation cannot be built while it lacks a message (it implements the
 * class's Actions interface), and {@code XenApiActionsTest} fails when the model gains a class with declared
 * messages that has no component here. From a message, say {@code VM.start}: {@link VM.Actions#start}, then the
 * class behind {@link #vm()}.
 */
public record XenApiActions(
        Session.Actions session,
        Task.Actions task,
        Event.Actions event,
        Message.Actions message,
        Pool.Actions pool,
        Host.Actions host,
        VM.Actions vm,
        VBD.Actions vbd,
        VIF.Actions vif,
        VTPM.Actions vtpm,
        SR.Actions sr,
        PBD.Actions pbd,
        VDI.Actions vdi,
        Network.Actions network,
        PIF.Actions pif) {

    /** Every component registered under its Actions interface. */
    public Implementations implementations() {
        var out = new Implementations();
        for (RecordComponent c : XenApiActions.class.getRecordComponents()) register(out, c.getType(), Objects.requireNonNull(componentOf(c), c.getName()));
        return out;
    }

    private static <A> void register(Implementations out, Class<A> actions, Object impl) { out.add(actions, actions.cast(impl)); }

    private Object componentOf(RecordComponent c) {
        try {
            return c.getAccessor().invoke(this);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }
}
