package org.flotilla.runtime.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.db.RecordTransfer;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * The records a VM takes to another pool, as XAPI's metadata export and import carry them for a cross-pool
 * migration: the VM, its VBDs and VIFs (each VIF already on the network of the other pool that vif_map gives it), and
 * the records of the VDIs that move (what the VDIs made for them there are like). Written whole by the typed model
 * ({@link RecordTransfer}). The objects keep their references there: references name nothing outside their pool, and
 * keeping them lets both hosts name the VM as the migration's calls already do, and VM.migrate_send return it.
 */
public final class TravellingRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REF = "ref";
    private static final String FIELDS = "fields";

    private final RecordTransfer transfer;
    private final JsonNode tree;

    private TravellingRecords(RecordTransfer transfer, JsonNode tree) {
        this.transfer = transfer;
        this.tree = tree;
    }

    /** The records of {@code vm} as they go: the VDIs of {@code moving}, the VIFs on the networks {@code networks} gives. */
    static String write(Database db, Ref<VM> vm, Collection<Ref<VDI>> moving, Map<Ref<VIF>, Ref<Network>> networks) {
        var transfer = new RecordTransfer(db.model());
        ObjectNode out = JSON.createObjectNode();
        add(out, transfer, vm, db.record(vm));
        for (Ref<VBD> b : db.related(vm, VM.VBDs)) {
            Rec<VBD> r = db.record(b);
            // a disc stays in its own pool's library: the drive arrives empty, as XAPI ejects CDs before it goes
            if (!moving.contains(r.get(VBD.VDI))) r.set(VBD.VDI, VDI.CLASS.nullRef()).set(VBD.empty, true);
            add(out, transfer, b, r);
        }
        for (Ref<VIF> v : db.related(vm, VM.VIFs)) add(out, transfer, v, db.record(v).set(VIF.network, networks.get(v)));
        for (Ref<VDI> v : moving) add(out, transfer, v, db.record(v));
        return out.toString();
    }

    private static <C> void add(ObjectNode out, RecordTransfer transfer, Ref<C> ref, Rec<C> r) {
        ArrayNode list = out.has(ref.cls().name()) ? (ArrayNode) out.get(ref.cls().name()) : out.putArray(ref.cls().name());
        list.addObject().put(REF, ref.value()).set(FIELDS, transfer.write(r));
    }

    static TravellingRecords read(Database db, String text) {
        try {
            JsonNode tree = JSON.readTree(text);
            if (tree == null || tree.path(VM.CLASS.name()).size() != 1) throw ApiError.of("INVALID_VALUE", "records", "no VM");
            return new TravellingRecords(new RecordTransfer(db.model()), tree);
        } catch (IOException e) {
            throw ApiError.of("INVALID_VALUE", "records", e.getMessage());
        }
    }

    Ref<VM> vm() { return refs(VM.CLASS).getFirst(); }

    String uuid() { return vmRecord().get(VM.uuid); }

    long version() { return vmRecord().get(VM.version); }

    /** The VM's power state where it comes from. */
    VmPowerState powerState() { return vmRecord().get(VM.power_state); }

    /** The records of the VDIs that move, by their references where they come from. */
    Map<Ref<VDI>, Rec<VDI>> disks() {
        var out = new LinkedHashMap<Ref<VDI>, Rec<VDI>>();
        for (JsonNode n : tree.path(VDI.CLASS.name())) out.put(VDI.CLASS.ref(n.path(REF).asText()), transfer.read(VDI.CLASS, n.path(FIELDS), r -> null));
        return out;
    }

    /** The networks of this pool the VM's VIFs are to be on. */
    Set<Ref<Network>> networks() {
        var out = new HashSet<Ref<Network>>();
        for (JsonNode n : tree.path(VIF.CLASS.name())) out.add(transfer.read(VIF.CLASS, n.path(FIELDS), r -> r).get(VIF.network));
        return out;
    }

    /** The objects the VM brings, by reference: they must not be here yet. */
    List<Ref<?>> objects() {
        var out = new ArrayList<Ref<?>>(refs(VM.CLASS));
        out.addAll(refs(VBD.CLASS));
        out.addAll(refs(VIF.CLASS));
        return out;
    }

    /**
     * Stages the VM's records here, halted as XAPI's import leaves an arriving VM, with {@code operation} in its
     * current_operations under {@code key} so that nothing starts or changes it before it has arrived; its VBDs on
     * the VDIs {@code made} for the moving ones. References to anything else of the other pool go.
     */
    void stage(Database.Tx tx, Map<Ref<VDI>, Ref<VDI>> made, String key, VmOperations operation) {
        var own = new HashSet<String>();
        for (Ref<?> r : objects()) own.add(r.value());
        var networks = new HashSet<String>();
        for (Ref<Network> n : networks()) networks.add(n.value());
        var byValue = new LinkedHashMap<String, String>();
        made.forEach((from, to) -> byValue.put(from.value(), to.value()));
        UnaryOperator<String> here = r -> own.contains(r) || networks.contains(r) ? r : byValue.get(r);
        Rec<VM> vm = read(VM.CLASS, tree.path(VM.CLASS.name()).get(0), here)
                .set(VM.power_state, VmPowerState.Halted)
                .set(VM.domid, -1L)
                .set(VM.current_operations, Map.of(key, operation))
                .set(VM.allowed_operations, List.of());
        tx.put(vm(), vm);
        // the devices keep the source's marks of attachment: the QEMU that takes the VM in must have those it had
        for (JsonNode n : tree.path(VBD.CLASS.name())) {
            Rec<VBD> b = read(VBD.CLASS, n, here).set(VBD.current_operations, Map.of());
            if (b.get(VBD.VDI).isNull()) b.set(VBD.empty, true);
            tx.put(VBD.CLASS.ref(n.path(REF).asText()), b);
        }
        for (JsonNode n : tree.path(VIF.CLASS.name())) {
            tx.put(VIF.CLASS.ref(n.path(REF).asText()), read(VIF.CLASS, n, here).set(VIF.current_operations, Map.of()));
        }
    }

    private <C> Rec<C> read(ApiClass<C> cls, JsonNode n, UnaryOperator<String> refs) {
        return transfer.read(cls, n.path(FIELDS), refs);
    }

    private Rec<VM> vmRecord() { return read(VM.CLASS, tree.path(VM.CLASS.name()).get(0), r -> null); }

    private <C> List<Ref<C>> refs(ApiClass<C> cls) {
        var out = new ArrayList<Ref<C>>();
        for (JsonNode n : tree.path(cls.name())) out.add(cls.ref(n.path(REF).asText()));
        return out;
    }

    /** The VM of {@code db} that has the travelling VM's reference or uuid, or null. */
    DbObject<VM> sameVm(Database db) {
        DbObject<VM> byRef = db.get(vm());
        if (byRef != null) return byRef;
        return db.refByUuid(VM.CLASS, uuid()).map(db::require).orElse(null);
    }
}
