package org.flotilla.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Rpc;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Session;

/** One logged-in session on a host: every call passes the session reference first, as the XenAPI wants. */
final class XenApiSession implements AutoCloseable {
    private final Rpc rpc;
    private final String session;
    private final boolean local;

    private XenApiSession(Rpc rpc, String session, boolean local) {
        this.rpc = rpc;
        this.session = session;
        this.local = local;
    }

    static XenApiSession login(Rpc rpc, String user, String password) {
        Ref<Session> ref = RemoteActions.of(Session.Actions.class, rpc, null).login_with_password(user, password, "1.1", "cli");
        return new XenApiSession(rpc, ref.value(), false);
    }

    /** A session the host made for a caller it had already proven (xe over the host's own socket); ended by logout as any other. */
    static XenApiSession of(Rpc rpc, String session) { return new XenApiSession(rpc, session, false); }

    /** A session of the host alone (slave_local_login_with_password), for the commands a member in emergency mode serves. */
    static XenApiSession localLogin(Rpc rpc, String user, String password) {
        return new XenApiSession(rpc, RemoteActions.of(Session.Actions.class, rpc, null).slave_local_login_with_password(user, password).value(), true);
    }

    Ref<Session> session() { return Session.CLASS.ref(session); }

    Object call(String method, Object... params) {
        List<Object> all = new ArrayList<>(params.length + 1);
        all.add(session);
        all.addAll(Arrays.asList(params));
        return rpc.call(method, all);
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> allRecords(String className) {
        return (Map<String, Map<String, Object>>) call(className + ".get_all_records");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> record(String className, String ref) {
        return (Map<String, Object>) call(className + ".get_record", ref);
    }

    String refByUuid(String className, String uuid) { return (String) call(className + ".get_by_uuid", uuid); }

    // ---- typed: classes and fields named by their declarations, the messages derived from them --------------

    /** The class's Actions, each call a message to the server. */
    <A> A actions(Class<A> actions) { return RemoteActions.of(actions, rpc, session); }

    <C> Ref<C> byUuid(ApiClass<C> cls, String uuid) { return cls.ref(refByUuid(cls.name(), uuid)); }

    <C> RemoteRecord<C> record(Ref<C> ref) { return new RemoteRecord<>(ref, record(ref.cls().name(), ref.value())); }

    /** Every object of the class, in the server's order. */
    <C> Map<Ref<C>, RemoteRecord<C>> allRecords(ApiClass<C> cls) {
        var out = new LinkedHashMap<Ref<C>, RemoteRecord<C>>();
        allRecords(cls.name()).forEach((ref, r) -> out.put(cls.ref(ref), new RemoteRecord<>(cls.ref(ref), r)));
        return out;
    }

    /** One field of an object (its get_&lt;field&gt; message). */
    <C, T> T get(Ref<C> ref, Field<C, T> field) {
        return WireValues.read(field.type(), call(ref.cls().name() + ".get_" + field.name(), ref.value()));
    }

    /** Sets one field of an object (its set_&lt;field&gt; message). */
    <C, T> void set(Ref<C> ref, Field<C, T> field, T value) {
        call(ref.cls().name() + ".set_" + field.name(), ref.value(), WireValues.write(field.type(), value));
    }

    @Override
    public void close() {
        try {
            if (local) actions(Session.Actions.class).local_logout();
            else actions(Session.Actions.class).logout();
        } catch (RuntimeException e) {
            // the command's outcome is what the user asked about; a failed logout only leaves a session to expire
        }
    }
}
