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
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.db.RecordTransfer;
import org.flotilla.model.ApiClass;
import org.flotilla.model.ApiError;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.Secret;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.vm.VmRecords;

/**
 * The records a VM takes to another pool, as XAPI's metadata export and import carry them for a cross-pool
 * migration: the VM and its snapshots, their VBDs, VIFs (each already on the network of the other pool that vif_map
 * gives it) and VTPMs with the secrets that hold their state, and the records of the VDIs that move (what the VDIs
 * made for them there are like). Written whole by the typed model ({@link RecordTransfer}). The objects keep their
 * references there: references name nothing outside their pool, and keeping them lets both hosts name the VM as the
 * migration's calls already do, and VM.migrate_send return it (a copy takes new ones: {@link #asCopy}).
 */
public final class TravellingRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REF = "ref";
    private static final String FIELDS = "fields";
    /** The classes whose objects come whole, keeping their references. */
    private static final List<ApiClass<?>> BROUGHT = List.of(VM.CLASS, VBD.CLASS, VIF.CLASS, VTPM.CLASS, Secret.CLASS);

    private final RecordTransfer transfer;
    private final JsonNode tree;

    private TravellingRecords(RecordTransfer transfer, JsonNode tree) {
        this.transfer = transfer;
        this.tree = tree;
    }

    /**
     * The records of {@code vm} as they go, and those of its snapshots after it (XAPI's export of a VM for a
     * cross-pool move takes its snapshots along): their VBDs, the VDIs of {@code moving}, the VIFs on the networks
     * {@code networks} gives, and their VTPMs with the secrets that hold their state.
     */
    static String write(Database db, Ref<VM> vm, Collection<Ref<VDI>> moving, Map<Ref<VIF>, Ref<Network>> networks) {
        var transfer = new RecordTransfer(db.model());
        ObjectNode out = JSON.createObjectNode();
        List<Ref<VM>> vms = VmRecords.withSnapshots(db, vm);
        for (Ref<VM> v : vms) add(out, transfer, v, db.record(v));
        for (Ref<VM> v : vms) {
            for (Ref<VBD> b : db.related(v, VM.VBDs)) {
                Rec<VBD> r = db.record(b);
                // a disc stays in its own pool's library: the drive arrives empty, as XAPI ejects CDs before it goes
                if (!moving.contains(r.get(VBD.VDI))) r.set(VBD.VDI, VDI.CLASS.nullRef()).set(VBD.empty, true);
                add(out, transfer, b, r);
            }
            for (Ref<VIF> i : db.related(v, VM.VIFs)) add(out, transfer, i, db.record(i).set(VIF.network, networks.get(i)));
            for (Ref<VTPM> t : db.related(v, VM.VTPMs)) {
                Rec<VTPM> r = db.record(t);
                add(out, transfer, t, r);
                if (!r.get(VTPM.contents).isNull() && db.exists(r.get(VTPM.contents))) add(out, transfer, r.get(VTPM.contents), db.record(r.get(VTPM.contents)));
            }
        }
        for (Ref<VDI> v : moving) add(out, transfer, v, db.record(v));
        return out.toString();
    }

    /**
     * The same records for a copy (VM.migrate_send with copy=true, XAPI's cross-pool copy of a halted VM): every
     * object they bring under a new reference and uuid, so that the VM there is another VM and the one here stays.
     */
    static String asCopy(String records) {
        try {
            JsonNode tree = JSON.readTree(records);
            var renamed = new LinkedHashMap<String, String>();
            for (ApiClass<?> cls : BROUGHT) {
                for (JsonNode n : tree.path(cls.name())) {
                    renamed.put(n.path(REF).asText(), "OpaqueRef:" + UUID.randomUUID());
                    if (n.path(FIELDS).has("uuid")) ((ObjectNode) n.path(FIELDS)).put("uuid", UUID.randomUUID().toString());
                }
            }
            // references are uuids in form: none is part of another, so each is replaced wherever the records name it
            String out = tree.toString();
            for (var e : renamed.entrySet()) out = out.replace("\"" + e.getKey() + "\"", "\"" + e.getValue() + "\"");
            return out;
        } catch (IOException e) {
            throw ApiError.internal("cannot read the VM's records: " + e.getMessage());
        }
    }

    /** The VM the records bring, by its reference there. */
    static Ref<VM> vmOf(String records) {
        try {
            return VM.CLASS.ref(JSON.readTree(records).path(VM.CLASS.name()).get(0).path(REF).asText());
        } catch (IOException e) {
            throw ApiError.internal("cannot read the VM's records: " + e.getMessage());
        }
    }

    private static <C> void add(ObjectNode out, RecordTransfer transfer, Ref<C> ref, Rec<C> r) {
        ArrayNode list = out.has(ref.cls().name()) ? (ArrayNode) out.get(ref.cls().name()) : out.putArray(ref.cls().name());
        list.addObject().put(REF, ref.value()).set(FIELDS, transfer.write(r));
    }

    static TravellingRecords read(Database db, String text) {
        try {
            JsonNode tree = JSON.readTree(text);
            if (tree == null || tree.path(VM.CLASS.name()).isEmpty()) throw ApiError.of("INVALID_VALUE", "records", "no VM");
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
        var out = new ArrayList<Ref<?>>();
        for (ApiClass<?> cls : BROUGHT) out.addAll(refs(cls));
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
        JsonNode vms = tree.path(VM.CLASS.name());
        Rec<VM> vm = read(VM.CLASS, vms.get(0), here)
                .set(VM.power_state, VmPowerState.Halted)
                .set(VM.domid, -1L)
                .set(VM.current_operations, Map.of(key, operation))
                .set(VM.allowed_operations, List.of());
        tx.put(vm(), vm);
        // its snapshots as they were taken (a checkpoint suspended on its memory's new VDI), their parents kept
        for (int i = 1; i < vms.size(); i++) {
            tx.put(VM.CLASS.ref(vms.get(i).path(REF).asText()), read(VM.CLASS, vms.get(i), here).set(VM.current_operations, Map.of()));
        }
        // the devices keep the source's marks of attachment: the QEMU that takes the VM in must have those it had
        for (JsonNode n : tree.path(VBD.CLASS.name())) {
            Rec<VBD> b = read(VBD.CLASS, n, here).set(VBD.current_operations, Map.of());
            if (b.get(VBD.VDI).isNull()) b.set(VBD.empty, true);
            tx.put(VBD.CLASS.ref(n.path(REF).asText()), b);
        }
        for (JsonNode n : tree.path(VIF.CLASS.name())) {
            tx.put(VIF.CLASS.ref(n.path(REF).asText()), read(VIF.CLASS, n, here).set(VIF.current_operations, Map.of()));
        }
        for (JsonNode n : tree.path(Secret.CLASS.name())) tx.put(Secret.CLASS.ref(n.path(REF).asText()), read(Secret.CLASS, n, here));
        for (JsonNode n : tree.path(VTPM.CLASS.name())) {
            tx.put(VTPM.CLASS.ref(n.path(REF).asText()), read(VTPM.CLASS, n, here).set(VTPM.current_operations, Map.of()));
        }
        // the VDIs made here were made like the moving ones; a snapshot's says what it was taken of, and when
        for (JsonNode n : tree.path(VDI.CLASS.name())) {
            Ref<VDI> to = made.get(VDI.CLASS.ref(n.path(REF).asText()));
            if (to == null) continue;
            Rec<VDI> was = read(VDI.CLASS, n, here);
            MovedDisks.stageSnapshotMarks(tx, was, to, was.get(VDI.snapshot_of));
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
