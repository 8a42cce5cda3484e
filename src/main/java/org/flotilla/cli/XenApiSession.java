package org.flotilla.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Rpc;

/** One logged-in session on a host: every call passes the session reference first, as the XenAPI wants. */
final class XenApiSession implements AutoCloseable {
    private final Rpc rpc;
    private final String session;

    private XenApiSession(Rpc rpc, String session) {
        this.rpc = rpc;
        this.session = session;
    }

    static XenApiSession login(Rpc rpc, String user, String password) {
        Object ref = rpc.call("session.login_with_password", new ArrayList<>(List.of(user, password, "1.1", "cli")));
        return new XenApiSession(rpc, (String) ref);
    }

    String sessionRef() { return session; }

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

    @Override
    public void close() {
        try {
            call("session.logout");
        } catch (RuntimeException e) {
            // the command's outcome is what the user asked about; a failed logout only leaves a session to expire
        }
    }
}
