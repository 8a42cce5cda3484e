package org.flotilla.pool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.flotilla.TestDomainIds;
import org.flotilla.api.ApiLimits;
import org.flotilla.daemon.Node;
import org.flotilla.db.Database;
import org.flotilla.db.Journal;
import org.flotilla.host.HostFacts;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.XenApi;

/**
 * Several hosts' Nodes on one in-memory database, each with a state directory, name and address of its own, and
 * (unless started alone) each call that belongs to another host sent to that host's Node in a local session its pool
 * secret opens, as members forward calls to each other over HTTPS.
 */
final class ForwardingNodes implements AutoCloseable {
    final Path dir;
    final String subnet;
    final Database db = new Database(XenApi.model(), Journal.NONE);
    final List<Node> nodes = new ArrayList<>();
    private final Map<Ref<Host>, String> localSessions = new ConcurrentHashMap<>();

    /** @param subnet the first three octets of the hosts' (never contacted) addresses */
    ForwardingNodes(Path dir, String subnet) {
        this.dir = dir;
        this.subnet = subnet;
    }

    /** Host {@code i}'s toolstack, forwarding to the others. */
    Node start(int i) {
        Node node = startAlone(i);
        node.rpc().forwardThrough((host, method, arguments) -> {
            Node there = nodes.stream().filter(n -> n != null && n.host().equals(host)).findFirst()
                    .orElseThrow(() -> ApiError.of("CANNOT_CONTACT_HOST", host.value()));
            var params = new ArrayList<>();
            params.add(localSessions.computeIfAbsent(host, h -> (String) call(there, "session.slave_local_login",
                    PoolSecret.ensure(stateOf(there)).value())));
            params.addAll(arguments);
            return there.rpc().call(method, params);
        });
        return node;
    }

    /** Host {@code i}'s toolstack, which forwards nothing (a call for another host fails with CANNOT_CONTACT_HOST). */
    Node startAlone(int i) {
        Path state = dir.resolve("host" + i);
        TestDomainIds.seed(state);
        HostFacts machine = HostFacts.read("127.0.0.1");
        var facts = machine.as("host" + i, subnet + "." + (i + 1));
        Node node = new Node(state, db, (u, p) -> true, facts, r -> "<value>" + r + "</value>", ApiLimits.defaults());
        while (nodes.size() <= i) nodes.add(null);
        nodes.set(i, node);
        return node;
    }

    Node restart(int i) {
        stop(i);
        return start(i);
    }

    void stop(int i) {
        Node n = nodes.set(i, null);
        localSessions.remove(n.host());
        n.close();
    }

    private Path stateOf(Node node) { return dir.resolve("host" + nodes.indexOf(node)); }

    static Object call(Node node, String method, Object... params) { return node.rpc().call(method, new ArrayList<>(Arrays.asList(params))); }

    @Override
    public void close() {
        for (Node n : nodes) if (n != null) n.close();
        nodes.replaceAll(n -> null);
        db.close();
    }

    Node node(int i) { return Objects.requireNonNull(nodes.get(i)); }
}
