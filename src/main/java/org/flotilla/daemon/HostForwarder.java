package org.flotilla.daemon;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flotilla.api.Dispatcher;
import org.flotilla.cli.RemoteRpc;
import org.flotilla.db.Database;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.raft.MemberTls;

/**
 * Sends a call that belongs to another member there, as XAPI's message forwarding does: over HTTPS that accepts
 * only members' certificates, in a session of that host's own that the pool's secret opens
 * (session.slave_local_login), kept for the next call and opened again when the host has restarted.
 */
final class HostForwarder implements Dispatcher.Forwarder {
    private final Database db;
    private final MemberTls tls;
    private final String secret;
    private final int apiPort;
    private final Map<Ref<Host>, Link> links = new ConcurrentHashMap<>();

    private record Link(String address, RemoteRpc rpc, String session) {}

    HostForwarder(Database db, MemberTls tls, String secret, int apiPort) {
        this.db = db;
        this.tls = tls;
        this.secret = secret;
        this.apiPort = apiPort;
    }

    @Override
    public Object forward(Ref<Host> host, String method, List<Object> arguments) {
        try {
            return call(link(host), method, arguments);
        } catch (ApiError e) {
            if (!e.code().equals("SESSION_INVALID")) throw e;
            links.remove(host); // the host restarted: its local sessions went with it
            return call(link(host), method, arguments);
        }
    }

    private Object call(Link link, String method, List<Object> arguments) {
        var params = new ArrayList<>(arguments.size() + 1);
        params.add(link.session());
        params.addAll(arguments);
        return reached(link, () -> link.rpc().call(method, params));
    }

    private Link link(Ref<Host> host) {
        String address = db.require(host).get(Host.address);
        Link known = links.get(host);
        if (known != null && known.address().equals(address)) return known;
        var rpc = new RemoteRpc(URI.create("https://" + PoolMembers.hostPort(address, apiPort) + "/"), tls.sslContext());
        var probe = new Link(address, rpc, "");
        String session = (String) reached(probe, () -> rpc.call("session.slave_local_login", List.of(secret)));
        Link link = new Link(address, rpc, session);
        links.put(host, link);
        return link;
    }

    private Object reached(Link link, java.util.function.Supplier<Object> call) {
        try {
            return call.get();
        } catch (ApiError e) {
            if (RemoteRpc.unreachable(e)) throw ApiError.of("CANNOT_CONTACT_HOST", link.address());
            throw e;
        }
    }
}
