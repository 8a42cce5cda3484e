package org.flotilla.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.flotilla.api.Rbac;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Access;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.Vdi_nbd_server_info;
import org.flotilla.model.xenapi.enums.NetworkPurpose;
import org.flotilla.model.xenapi.enums.VdiType;

/**
 * The names under which this host's {@link NbdServer} serves VDIs, as XAPI gives them: VDI.get_nbd_info lists, for
 * every address of this host on a network whose purpose is nbd or insecure_nbd, {@code /<vdi uuid>?session_id=<the
 * caller's session>} with the port and the host's certificate; the server serves a name while its session lives and
 * may read disks (vm-admin, as the HTTP disk export asks). Until the server runs, the list is empty, as XAPI's is
 * where no network has an NBD purpose.
 */
public final class NbdExports implements NbdServer.Authority {
    /** The RBAC permission named when a session may not read disks, as for /export_raw_vdi. */
    private static final String PERMISSION = "VDI.get_nbd_info";
    private static final String SESSION = "?session_id=";

    /** What the server tells clients: its port, and the certificate (PEM) and name they check it by. */
    public record Served(int port, String certificate, String subject, Predicate<Ref<Session>> liveSession) {}

    private final Database db;
    private final Ref<Host> host;
    private volatile Served served;

    NbdExports(Database db, Ref<Host> host) {
        this.db = db;
        this.host = host;
    }

    /** Called once the server listens. */
    public void serving(Served s) { served = s; }

    /** VDI.get_nbd_info for the calling session. */
    public List<Rec<Vdi_nbd_server_info>> info(Ref<VDI> vdi, Ref<Session> session) {
        DbObject<VDI> v = db.require(vdi);
        if (v.get(VDI.type) == VdiType.cbt_metadata) throw ApiError.of("VDI_INCOMPATIBLE_TYPE", vdi.value(), VdiType.cbt_metadata.wire());
        Served s = served;
        var out = new ArrayList<Rec<Vdi_nbd_server_info>>();
        if (s == null || !attachedHere(v)) return out;
        String name = "/" + v.get(VDI.uuid) + SESSION + session.value();
        for (DbObject<PIF> pif : db.referring(PIF.host, host)) {
            if (!pif.get(PIF.currently_attached) || !forNbd(pif.get(PIF.network))) continue;
            var addresses = new ArrayList<String>();
            if (!pif.get(PIF.IP).isEmpty()) addresses.add(pif.get(PIF.IP));
            pif.get(PIF.IPv6).stream().filter(a -> !a.isEmpty()).map(a -> a.replaceFirst("/\\d+$", "")).forEach(addresses::add);
            for (String address : addresses) {
                out.add(Rec.empty(Vdi_nbd_server_info.CLASS)
                        .set(Vdi_nbd_server_info.exportname, name)
                        .set(Vdi_nbd_server_info.address, address)
                        .set(Vdi_nbd_server_info.port, (long) s.port())
                        .set(Vdi_nbd_server_info.cert, s.certificate())
                        .set(Vdi_nbd_server_info.subject, s.subject()));
            }
        }
        return out;
    }

    /** The VDI an export name stands for, if its session is live and may read disks, and this host serves its SR. */
    @Override
    public Ref<VDI> vdiFor(String exportName) {
        Served s = served;
        int q = exportName.indexOf(SESSION);
        if (s == null || !exportName.startsWith("/") || q < 0) return null;
        Ref<Session> session = Session.CLASS.ref(exportName.substring(q + SESSION.length()));
        if (!s.liveSession().test(session)) return null;
        try {
            Rbac.require(db, session, Access.VM_ADMIN, PERMISSION);
        } catch (ApiError denied) {
            return null;
        }
        Ref<VDI> vdi = db.refByUuid(VDI.CLASS, exportName.substring(1, q)).orElse(null);
        DbObject<VDI> v = vdi == null ? null : db.get(vdi);
        if (v == null || v.get(VDI.type) == VdiType.cbt_metadata || !attachedHere(v)) return null;
        return vdi;
    }

    private boolean attachedHere(DbObject<VDI> v) {
        return db.referring(PBD.SR, v.get(VDI.SR)).stream().anyMatch(p -> p.get(PBD.host).equals(host) && p.get(PBD.currently_attached));
    }

    private boolean forNbd(Ref<Network> network) {
        DbObject<Network> n = db.get(network);
        return n != null && n.get(Network.purpose).stream().anyMatch(p -> p == NetworkPurpose.nbd || p == NetworkPurpose.insecure_nbd);
    }
}
