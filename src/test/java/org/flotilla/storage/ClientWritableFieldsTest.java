package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.FieldDef;
import org.flotilla.model.Type;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.enums.VbdType;
import org.junit.jupiter.api.Test;

/**
 * What the daemon relies on is out of clients' reach: whatever a client writes into any field it may write, the
 * daemon's own storage operations afterwards lose no data, remove no image a disk still needs and stay healthy.
 */
class ClientWritableFieldsTest extends OnALocalSr {
    private static final List<String> CLASSES = List.of("VDI", "VM", "VBD", "SR");
    private static final String LONG = "x".repeat(100_000);
    /** Keys the daemon and XAPI's clients read from maps: the SM's own, and those the VM side looks at. */
    private static final List<String> DAEMON_KEYS = List.of(Storage.PARENT_KEY, SmOwnedKeys.IMAGE_FORMAT, SmOwnedKeys.MADE_DIRECTORY, ChainMerges.INTENT,
            "location", "backend-kind", "disks", "flotilla-suspend-bytes", "firmware", "order", "videoram", "secureboot", "default_template");

    /** A disk with data and a snapshot: the disk and the snapshot are overlays on a base copy. */
    private record Snapshotted(String disk, String snap, String base) {}

    private Snapshotted diskWithSnapshot() {
        String disk = createVdi(defaultSr(), 4 * MIB, "disk");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 64k", image(disk).toString());
        String snap = (String) call("VDI.snapshot", session, disk, Map.of());
        return new Snapshotted(disk, snap, parentOf(disk));
    }

    @Test
    void emptyingSmConfigNeverCostsAnotherDiskItsData() throws InterruptedException {
        Snapshotted s = diskWithSnapshot();
        call("VDI.set_sm_config", session, s.disk(), Map.of());
        call("VDI.set_sm_config", session, s.snap(), Map.of("mine", "kept"));
        call("VDI.remove_from_sm_config", session, s.disk(), Storage.PARENT_KEY);
        call("VDI.add_to_sm_config", session, s.snap(), SmOwnedKeys.IMAGE_FORMAT + "x", "a client's own key");
        assertEquals(List.of("MAP_DUPLICATE_KEY", "VDI", "sm_config", uuidOf(s.disk()), Storage.PARENT_KEY),
                fails("VDI.add_to_sm_config", session, s.disk(), Storage.PARENT_KEY, "../../x").description());
        assertEquals(s.base(), parentOf(s.disk()));
        assertEquals(Map.of(Storage.PARENT_KEY, s.base(), SmOwnedKeys.IMAGE_FORMAT, "qcow2", "mine", "kept",
                SmOwnedKeys.IMAGE_FORMAT + "x", "a client's own key"), call("VDI.get_sm_config", session, s.snap()));

        call("VDI.destroy", session, s.snap());
        // the base the disk is built on is never lost: the collector merges it into the disk, its only child left
        assertTrue(node.storage().coalescer().awaitIdle(java.time.Duration.ofSeconds(60)));
        assertEquals(null, parentOf(s.disk()), "merged");
        assertChainChecks(s.disk());
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xab 0 64k", image(s.disk()).toString());
    }

    @Test
    void recordsDamagedBeforeThisVersionStillCostNoImageAnotherIsBuiltOn() {
        Snapshotted s = diskWithSnapshot();
        // as an older daemon let clients leave them: no chain key at all
        node.db().write(tx -> {
            tx.set(VDI.CLASS.ref(s.disk()), VDI.sm_config, Map.of());
            tx.set(VDI.CLASS.ref(s.snap()), VDI.sm_config, Map.of());
        });
        call("VDI.destroy", session, s.snap());
        assertTrue(Files.exists(localDir().resolve(s.base() + ".qcow2")), "an image a header names as its backing file is never unlinked");
        run("qemu-img", "check", "-U", image(s.disk()).toString());
        run("qemu-io", "-f", "qcow2", "-r", "-U", "-c", "read -P 0xab 0 64k", image(s.disk()).toString());
        // and the record that disagrees with its header is refused, not followed
        assertEquals("SR_BACKEND_FAILURE", fails("VDI.snapshot", session, s.disk(), Map.of()).code());
    }

    @Test
    void hostileValuesInEveryWritableFieldLoseNothing() {
        String sr = defaultSr();
        Snapshotted s = diskWithSnapshot();
        String disk = s.disk();
        String snap = s.snap();
        Guest guest = haltedGuestWith("hostile", disk, VbdType.Disk);
        String vm = guest.vm();
        String vbd = guest.vbd();
        Map<String, List<String>> targets = Map.of("VDI", List.of(disk, snap), "VM", List.of(vm), "VBD", List.of(vbd), "SR", List.of(sr));

        var problems = new ArrayList<String>();
        int writes = 0;
        for (String cls : CLASSES) {
            for (FieldDef f : node.db().model().classDef(cls).fields().values()) {
                if (!f.writable()) continue;
                for (String ref : targets.get(cls)) {
                    for (Object value : hostile(f.type(), sr)) {
                        writes++;
                        try {
                            call(cls + ".set_" + f.name(), session, ref, value);
                        } catch (ApiError e) {
                            if (!isXapiRefusal(e)) problems.add(cls + "." + f.name() + " = " + shortly(value) + ": " + e.description());
                        }
                    }
                }
            }
        }
        assertTrue(writes > 100, "every writable field was tried: " + writes);
        assertEquals(List.of(), problems, "hostile values are taken or refused with XAPI's errors");

        // the daemon's own storage operations on top of all that
        call("SR.scan", session, sr);
        String snap2 = (String) call("VDI.snapshot", session, disk, Map.of());
        String clone = (String) call("VDI.clone", session, snap, Map.of());
        String copy = (String) call("VDI.copy", session, disk, sr);
        call("VDI.resize", session, disk, 6 * MIB);
        call("VDI.destroy", session, snap);
        call("VDI.destroy", session, snap2);
        for (String op : List.of("VM.snapshot", "VM.clone")) {
            try {
                String made = (String) call(op, session, vm, "made by " + op);
                call("VM.destroy", session, made);
            } catch (ApiError e) {
                assertTrue(isXapiRefusal(e), op + ": " + e.description());
            }
        }
        call("SR.scan", session, sr);

        // nothing lost
        @SuppressWarnings("unchecked")
        var vdis = (Map<String, Map<String, Object>>) call("VDI.get_all_records", session);
        assertTrue(vdis.keySet().containsAll(List.of(disk, clone, copy)), vdis.keySet().toString());
        for (String v : vdis.keySet()) {
            assertTrue(Files.isRegularFile(image(v)), "the image of " + vdis.get(v).get("uuid"));
            assertChainChecks(v);
        }
        for (String v : List.of(disk, clone, copy)) run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xab 0 64k", image(v).toString());
        assertEquals(6 * MIB, call("VDI.get_virtual_size", session, disk));
        assertNotEquals(List.of(), call("VM.get_all", session));
        assertFalse(((List<?>) call("SR.get_VDIs", session, sr)).isEmpty());
    }

    /** Values of the type a careless or hostile client could send. */
    private List<Object> hostile(Type t, String someRef) {
        return switch (t) {
            case Type.Str s -> List.of("../../x", "/proc/self/root/etc", "", LONG);
            case Type.Int i -> List.of(Long.MAX_VALUE, Long.MIN_VALUE, -1L, 0L);
            case Type.Float f -> List.of(-1.0, Double.MAX_VALUE, 0.0);
            case Type.Bool b -> List.of(true, false);
            case Type.DateTime d -> List.of(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z"));
            case Type.Enum e -> {
                var out = new ArrayList<Object>(e.values());
                out.add("../../x");
                yield out;
            }
            case Type.Ref r -> List.of(ClassDef.NULL_REF, someRef, "OpaqueRef:../../x");
            case Type.Set s -> {
                var big = new ArrayList<Object>();
                for (int i = 0; i < 2000; i++) big.add(hostile(s.element(), someRef).get(i % hostile(s.element(), someRef).size()));
                yield List.of(List.of(), hostile(s.element(), someRef), big);
            }
            case Type.Map m -> {
                var keys = m.key() instanceof Type.Enum e ? e.values() : DAEMON_KEYS;
                var daemon = new LinkedHashMap<Object, Object>();
                for (String k : keys) daemon.put(k, hostile(m.value(), someRef).getFirst());
                var big = new LinkedHashMap<Object, Object>();
                if (!(m.key() instanceof Type.Enum)) for (int i = 0; i < 2000; i++) big.put("k" + i, hostile(m.value(), someRef).getLast());
                yield List.of(Map.of(), daemon, big);
            }
            case Type.Record r -> List.of(Map.of());
            case Type.Any a -> List.of("");
            case Type.Void v -> List.of("");
        };
    }

    /** An error of XAPI's list, or XAPI's own refusal of a value of the wrong type (its unmarshaller's Failure) — not a fault of ours. */
    private boolean isXapiRefusal(ApiError e) {
        if (e.code().equals("INTERNAL_ERROR")) return !e.params().isEmpty() && e.params().getFirst().startsWith("Failure(\"");
        return node.db().model().error(e.code()).isPresent();
    }

    private static String shortly(Object v) {
        String s = String.valueOf(v);
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private String parentOf(String vdi) { return (String) ((Map<?, ?>) call("VDI.get_sm_config", session, vdi)).get(Storage.PARENT_KEY); }

    private String uuidOf(String vdi) { return (String) call("VDI.get_uuid", session, vdi); }
}
