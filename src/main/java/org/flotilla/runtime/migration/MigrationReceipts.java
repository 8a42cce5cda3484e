package org.flotilla.runtime.migration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.enums.IpConfigurationMode;

/**
 * host.migrate_receive: the map a client passes back to VM.migrate_send as {@code dest}, with XAPI's keys — the
 * destination host's reference ({@link StorageMotions#HOST}), its storage and xenops services at the address of its
 * interface on the network asked for, the session they are called with, and the pool master's address. Within the
 * pool the source needs only the host: the members' own calls carry the rest, each migration with its one-time token.
 */
public final class MigrationReceipts {
    private final Database db;
    private final UnaryOperator<Ref<Session>> newSessionLike;
    private volatile String fingerprint = "";

    /** {@code newSessionLike}: a new session of the subject of a given one (api.Sessions' loginLike). */
    public MigrationReceipts(Database db, UnaryOperator<Ref<Session>> newSessionLike) {
        this.db = db;
        this.newSessionLike = newSessionLike;
    }

    /** The SHA-256 fingerprint of this host's TLS certificate, which the map gives as {@link OtherPoolDestination#FINGERPRINT}. */
    public void setFingerprint(String fingerprint) { this.fingerprint = fingerprint; }

    /**
     * The map for a VM coming to {@code host} by {@code network}. Its session is a new one of the caller's subject, as
     * XAPI logs one in: a source in another pool acts here with it for as long as the migration lasts, whatever becomes
     * of the client's own (xe logs out of the destination pool once it has the map). It also carries this host's
     * certificate's fingerprint ({@link OtherPoolDestination#FINGERPRINT}), which the client received over its own TLS
     * connection to this pool: the source, in another pool, knows this host by it.
     */
    public Map<String, String> receive(Ref<Host> host, Ref<Network> network, Ref<Session> caller) {
        String ip = address(host, network);
        Ref<Session> session = newSessionLike.apply(caller);
        var out = new LinkedHashMap<String, String>();
        out.put("SM", url(ip) + "/services/SM?session_id=" + session.value());
        out.put(StorageMotions.HOST, host.value());
        out.put("xenops", url(ip) + "/services/xenops?session_id=" + session.value());
        out.put("session_id", session.value());
        out.put("master", url(db.require(master()).get(Host.address)));
        if (!fingerprint.isEmpty()) out.put(OtherPoolDestination.FINGERPRINT, fingerprint);
        return out;
    }

    /** The host's address on the network: its PIF's (the management PIF's may be recorded as the host's address only). */
    private String address(Ref<Host> host, Ref<Network> network) {
        DbObject<PIF> pif = db.referring(PIF.network, network).stream().filter(p -> p.get(PIF.host).equals(host)).findFirst()
                .orElseThrow(() -> ApiError.of("HOST_CANNOT_ATTACH_NETWORK", host.value(), network.value()));
        String ip = pif.get(PIF.IP);
        if (ip != null && !ip.isBlank()) return ip;
        if (Boolean.TRUE.equals(pif.get(PIF.management))) return db.require(host).get(Host.address);
        if (pif.get(PIF.ip_configuration_mode) == IpConfigurationMode.None) throw ApiError.of("PIF_HAS_NO_NETWORK_CONFIGURATION", pif.ref());
        throw ApiError.of("INTERFACE_HAS_NO_IP", pif.ref());
    }

    private Ref<Host> master() { return db.all(Pool.CLASS).getFirst().get(Pool.master); }

    private static String url(String ip) { return "https://" + (ip.contains(":") ? "[" + ip + "]" : ip); }
}
