package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VbdType;
import org.junit.jupiter.api.Test;

/** Local storage through the XenAPI dispatch in-process, with real qcow2 images made by qemu-img. */
class StorageTest extends OnALocalSr {
    // ---- tests ------------------------------------------------------------------------------------------

    @Test
    void theLocalSrIsMadeAtFirstStartAndFoundAgainAfterARestart() {
        String sr = defaultSr();
        var r = record("SR", sr);
        assertEquals("Local storage", r.get("name_label"));
        assertEquals("file", r.get("type"));
        assertEquals("user", r.get("content_type"));
        assertTrue((Long) r.get("physical_size") > 0);
        assertTrue(Files.isDirectory(localDir()));
        String pbd = ((List<?>) r.get("PBDs")).getFirst().toString();
        assertEquals(true, call("PBD.get_currently_attached", session, pbd));
        assertEquals(node.hostRef(), call("PBD.get_host", session, pbd));
        assertEquals(sr, call("pool.get_suspend_image_SR", session, node.poolRef()));
        assertEquals(sr, call("pool.get_crash_dump_SR", session, node.poolRef()));
        assertEquals(sr, call("host.get_suspend_image_sr", session, node.hostRef()));
        assertEquals(sr, call("host.get_crash_dump_sr", session, node.hostRef()));
        @SuppressWarnings("unchecked")
        var sms = (Map<String, Map<String, Object>>) call("SM.get_all_records", session);
        assertEquals(List.of("file", "iso", "lvmoiscsi", "nfs"), sms.values().stream().map(m -> m.get("type")).sorted().toList());
        assertEquals(List.of("file", "iso", "nfs", "lvmoiscsi"), call("SR.get_supported_types", session));

        node.close();
        boot();
        assertEquals(sr, defaultSr());
        assertEquals(1, ((List<?>) call("SR.get_all", session)).size());
        assertEquals(4, ((List<?>) call("SM.get_all", session)).size());
        assertEquals(true, call("PBD.get_currently_attached", session, pbd));
    }

    @Test
    void vdiCreateResizeDestroyMakeAndChangeRealImages() throws IOException {
        String sr = defaultSr();
        String vdi = createVdi(sr, 3 * MIB, "disk");
        var r = record("VDI", vdi);
        assertEquals(3 * MIB, r.get("virtual_size"));
        assertEquals(true, r.get("managed"));
        assertEquals(r.get("uuid"), r.get("location"));
        assertEquals("qcow2", ((Map<?, ?>) r.get("sm_config")).get("image-format"));
        Path img = localDir().resolve(r.get("uuid") + ".qcow2");
        assertEquals(img, image(vdi));
        assertEquals("qcow2", info(img).get("format").asText());
        assertEquals(3 * MIB, info(img).get("virtual-size").asLong());
        assertEquals(List.of(vdi), call("SR.get_VDIs", session, sr));
        assertEquals(3 * MIB, call("SR.get_virtual_allocation", session, sr));

        call("VDI.resize", session, vdi, 8 * MIB);
        assertEquals(8 * MIB, info(img).get("virtual-size").asLong());
        assertEquals(8 * MIB, call("VDI.get_virtual_size", session, vdi));
        assertEquals(List.of("VDI_TOO_SMALL", vdi, Long.toString(8 * MIB)), fails("VDI.resize", session, vdi, MIB).description());

        call("VDI.destroy", session, vdi);
        assertFalse(Files.exists(img));
        assertEquals(List.of(), files(localDir()));
        assertEquals("HANDLE_INVALID", fails("VDI.get_record", session, vdi).code());
    }

    @Test
    void asyncVdiCreateRunsUnderATask() throws Exception {
        String task = (String) call("Async.VDI.create", session, Map.of("SR", defaultSr(), "virtual_size", MIB, "name_label", "async"));
        for (int i = 0; i < 200 && "pending".equals(call("task.get_status", session, task)); i++) Thread.sleep(10);
        assertEquals("success", call("task.get_status", session, task));
        String result = (String) call("task.get_result", session, task);
        String vdi = result.replace("<value>", "").replace("</value>", "");
        assertEquals("async", call("VDI.get_name_label", session, vdi));
        assertEquals("user", call("VDI.get_type", session, vdi));
    }

    @Test
    void scanAdoptsImagesMadeByHandAndForgetsTheRemovedOnes() throws IOException {
        String sr = defaultSr();
        String gone = createVdi(sr, MIB, "to be removed by hand");
        String uuid = Refs.newUuid();
        run("qemu-img", "create", "-q", "-f", "qcow2", localDir().resolve(uuid + ".qcow2").toString(), Long.toString(5 * MIB));
        Files.writeString(localDir().resolve("." + Refs.newUuid() + ".new.tmp"), "leftover of a crash");
        Files.writeString(localDir().resolve("notes.txt"), "not ours");
        Files.delete(image(gone));

        call("SR.scan", session, sr);
        assertEquals("HANDLE_INVALID", fails("VDI.get_record", session, gone).code());
        String adopted = (String) call("VDI.get_by_uuid", session, uuid);
        var r = record("VDI", adopted);
        assertEquals(5 * MIB, r.get("virtual_size"));
        assertTrue((Long) r.get("physical_utilisation") > 0);
        assertEquals(true, r.get("managed"));
        assertEquals(sr, r.get("SR"));
        assertEquals(List.of(uuid + ".qcow2", "notes.txt"), files(localDir()));
    }

    @Test
    void anIsoSrListsTheIsoFilesDroppedInItsDirectoryReadOnly() throws IOException {
        Path isos = Files.createDirectories(dir.resolve("isos"));
        Files.write(isos.resolve("debian.iso"), new byte[4096]);
        String sr = (String) call("SR.create", session, node.hostRef(), Map.of("location", isos.toString()), 0L, "ISO library", "",
                "iso", "iso", false);
        assertEquals("iso", call("SR.get_content_type", session, sr));
        Files.write(isos.resolve("alpine.iso"), new byte[8192]);
        Files.writeString(isos.resolve("README"), "not an iso");
        call("SR.scan", session, sr);
        @SuppressWarnings("unchecked")
        var vdis = (List<String>) call("SR.get_VDIs", session, sr);
        var byName = new java.util.TreeMap<String, Map<String, Object>>();
        for (String v : vdis) byName.put((String) call("VDI.get_name_label", session, v), record("VDI", v));
        assertEquals(List.of("alpine.iso", "debian.iso"), List.copyOf(byName.keySet()));
        assertEquals(true, byName.get("alpine.iso").get("read_only"));
        assertEquals(8192L, byName.get("alpine.iso").get("virtual_size"));
        assertEquals("alpine.iso", byName.get("alpine.iso").get("location"));
        assertEquals(List.of("SR_OPERATION_NOT_SUPPORTED", sr), fails("VDI.create", session, Map.of("SR", sr, "virtual_size", MIB)).description());

        Files.delete(isos.resolve("debian.iso"));
        call("SR.scan", session, sr);
        assertEquals(1, ((List<?>) call("SR.get_VDIs", session, sr)).size());

        // An ISO copies into a writable disk of the local SR.
        String alpine = (String) call("VDI.get_by_uuid", session, byName.get("alpine.iso").get("uuid"));
        String copy = (String) call("VDI.copy", session, alpine, defaultSr());
        assertEquals(false, call("VDI.get_read_only", session, copy));
        assertEquals(8192L, info(image(copy)).get("virtual-size").asLong());

        assertEquals(List.of("SR_OPERATION_NOT_SUPPORTED", sr), fails("SR.destroy", session, sr).description());
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();
        assertEquals(List.of("SR_HAS_PBD", sr), fails("SR.forget", session, sr).description());
        call("PBD.unplug", session, pbd);
        call("SR.forget", session, sr);
        assertEquals(List.of("alpine.iso", "README"), files(isos).stream().sorted(String.CASE_INSENSITIVE_ORDER).toList());
        assertEquals("HANDLE_INVALID", fails("PBD.get_record", session, pbd).code());
    }

    @Test
    void snapshotsAndClonesAreQcow2ChainsThatKeepEachDisksData() throws Exception {
        String sr = defaultSr();
        String disk = createVdi(sr, 4 * MIB, "system disk");
        Path live = image(disk);
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 64k", live.toString());

        String snap = (String) call("VDI.snapshot", session, disk);
        var s = record("VDI", snap);
        assertEquals(true, s.get("is_a_snapshot"));
        assertEquals(disk, s.get("snapshot_of"));
        assertEquals("system disk", s.get("name_label"));
        assertNotEquals(java.time.Instant.EPOCH, s.get("snapshot_time"));
        assertEquals(List.of(snap), call("VDI.get_snapshots", session, disk));
        assertEquals(live, image(disk));
        // Written after the snapshot: the live disk changes, the snapshot does not.
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xcd 0 64k", live.toString());

        String clone = (String) call("VDI.clone", session, snap);
        assertEquals(false, call("VDI.get_is_a_snapshot", session, clone));
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xab 0 64k", image(clone).toString());
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xab 0 64k", image(snap).toString());
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xcd 0 64k", live.toString());
        // The clone is a disk of its own.
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 64k", image(clone).toString());
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xab 0 64k", image(snap).toString());

        String chain = run("qemu-img", "info", "--backing-chain", "-U", "--output=json", image(clone).toString());
        assertEquals(3, JSON.readTree(chain).size());
        @SuppressWarnings("unchecked")
        var all = (Map<String, Map<String, Object>>) call("VDI.get_all_records", session);
        var bases = all.values().stream().filter(v -> v.get("managed").equals(false)).toList();
        assertEquals(2, bases.size());
        assertTrue(bases.stream().allMatch(b -> b.get("read_only").equals(true) && b.get("name_label").equals("base copy")));
        String parentOfDisk = (String) ((Map<?, ?>) record("VDI", disk).get("sm_config")).get(Storage.PARENT_KEY);
        assertEquals(parentOfDisk, ((Map<?, ?>) s.get("sm_config")).get(Storage.PARENT_KEY));
        String baseRef = (String) call("VDI.get_by_uuid", session, parentOfDisk);
        assertEquals(List.of("VDI_NOT_MANAGED", baseRef), fails("VDI.destroy", session, baseRef).description());

        // A scan changes none of it; destroying every disk leaves nothing behind, base copies included.
        call("SR.scan", session, sr);
        assertEquals(5, ((List<?>) call("SR.get_VDIs", session, sr)).size());
        // each destroy leaves a base copy with one child, which the collector merges into it
        call("VDI.destroy", session, disk);
        assertTrue(node.storage().coalescer().awaitIdle(Duration.ofSeconds(60)));
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0xab 0 64k", image(snap).toString());
        call("VDI.destroy", session, snap);
        assertTrue(node.storage().coalescer().awaitIdle(Duration.ofSeconds(60)));
        run("qemu-io", "-f", "qcow2", "-r", "-c", "read -P 0x11 0 64k", image(clone).toString());
        assertEquals(1, node.storage().attachment(VDI.CLASS.ref(clone)).layers().size());
        call("VDI.destroy", session, clone);
        assertEquals(List.of(), call("SR.get_VDIs", session, sr));
        assertEquals(List.of(), files(localDir()));
    }

    @Test
    void aVdiLargerThanTheFreeSpaceIsRefusedAndLeavesNothing() throws IOException {
        String sr = defaultSr();
        long free = Files.getFileStore(localDir()).getUsableSpace();
        long size = free + (1L << 40);
        ApiError e = fails("VDI.create", session, Map.of("SR", sr, "virtual_size", size));
        assertEquals("SR_FULL", e.code());
        assertEquals(Long.toString(size), e.params().getFirst());
        assertEquals(List.of(), call("SR.get_VDIs", session, sr));
        assertEquals(List.of(), files(localDir()));
        String vdi = createVdi(sr, MIB, "small");
        assertEquals("SR_FULL", fails("VDI.resize", session, vdi, size).code());
        assertEquals(MIB, info(image(vdi)).get("virtual-size").asLong());
    }

    @Test
    void aQemuImgFailureLeavesNoRecordAndNoFile() throws IOException {
        Path fake = dir.resolve("fake-qemu-img");
        Files.writeString(fake, """
                #!/bin/sh
                if [ "$1" = create ]; then
                  echo partial > "$5"
                  echo "qemu-img: $5: Could not write: No space left on device" >&2
                  exit 1
                fi
                exec qemu-img "$@"
                """);
        rebootWithQemuImg(fake);
        String sr = defaultSr();
        ApiError e = fails("VDI.create", session, Map.of("SR", sr, "virtual_size", MIB));
        assertEquals("SR_BACKEND_FAILURE", e.code());
        assertEquals("1", e.params().get(0));
        assertTrue(e.params().get(2).contains("No space left on device"), e.params().toString());
        assertEquals(List.of(), call("SR.get_VDIs", session, sr));
        assertEquals(List.of(), files(localDir()));
    }

    @Test
    void anAttachedVdiKeepsItsSrAndItselfAndADestroyedSrLeavesNothing() throws IOException {
        Path place = dir.resolve("second");
        String sr = (String) call("SR.create", session, node.hostRef(), Map.of("location", place.toString()), "0", "second", "",
                "file", "", false, Map.of());
        assertEquals("user", call("SR.get_content_type", session, sr));
        String vdi = createVdi(sr, MIB, "in use");
        String vbd = Refs.newRef();
        String dom0 = (String) call("host.get_control_domain", session, node.hostRef());
        node.db().write(tx -> tx.put(VBD.CLASS.ref(vbd), node.db().newRecord(VBD.CLASS)
                .set(VBD.uuid, Refs.newUuid())
                .set(VBD.VM, VM.CLASS.ref(dom0))
                .set(VBD.VDI, VDI.CLASS.ref(vdi))
                .set(VBD.mode, VbdMode.RW)
                .set(VBD.type, VbdType.Disk)
                .set(VBD.currently_attached, true)));
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();

        assertEquals(List.of("VDI_IN_USE", vdi, "destroy"), fails("VDI.destroy", session, vdi).description());
        assertEquals(List.of("VDI_IN_USE", vdi, "resize"), fails("VDI.resize", session, vdi, 2 * MIB).description());
        assertEquals(List.of("VDI_IN_USE", vdi, "snapshot"), fails("VDI.snapshot", session, vdi).description());
        assertEquals(List.of("VDI_IN_USE", vdi), fails("PBD.unplug", session, pbd).description());
        assertEquals(List.of("SR_HAS_PBD", sr), fails("SR.destroy", session, sr).description());
        assertEquals(List.of("OPERATION_NOT_ALLOWED", "PBD is currently attached"), fails("PBD.destroy", session, pbd).description());
        assertTrue(Files.exists(image(vdi)));
        assertEquals(List.of(), files(place).stream().filter(f -> f.endsWith(".tmp")).toList());

        // The VM agent's hook grows an attached disk.
        var resized = new ArrayList<String>();
        node.storage().setOnlineDisks(new OnlineDisks() {
            @Override public void resize(Ref<VDI> v, Ref<VBD> b, long size) {
                resized.add(v + " " + b);
                run("qemu-img", "resize", "-q", image(v.value()).toString(), Long.toString(size));
            }
            @Override public void switchToOverlay(Ref<VDI> v, Ref<VBD> b, SrStore dir, String overlay) { throw new AssertionError(); }
            @Override public void stream(Ref<VDI> v, Ref<VBD> b, String backingFile, Runnable started) { throw new AssertionError(); }
        });
        call("VDI.resize_online", session, vdi, 2 * MIB);
        assertEquals(List.of(vdi + " " + vbd), resized);
        assertEquals(2 * MIB, call("VDI.get_virtual_size", session, vdi));

        node.db().write(tx -> tx.set(VBD.CLASS.ref(vbd), VBD.currently_attached, false));
        call("PBD.unplug", session, pbd);
        assertEquals(List.of("SR_HAS_NO_PBDS", sr), fails("VDI.create", session, Map.of("SR", sr, "virtual_size", MIB)).description());
        assertEquals(List.of("SR_NOT_EMPTY"), fails("SR.destroy", session, sr).description());
        call("PBD.plug", session, pbd);
        call("VDI.destroy", session, vdi);
        assertEquals("HANDLE_INVALID", fails("VBD.get_record", session, vbd).code());
        call("PBD.unplug", session, pbd);
        call("SR.destroy", session, sr);
        assertFalse(Files.exists(place));
        assertEquals("HANDLE_INVALID", fails("SR.get_record", session, sr).code());
        assertEquals("HANDLE_INVALID", fails("PBD.get_record", session, pbd).code());
    }

    @Test
    void badCallsGetXapisErrors() {
        String sr = defaultSr();
        assertEquals(List.of("SR_UNKNOWN_DRIVER", "nfs4x"), fails("SR.create", session, node.hostRef(), Map.of(), 0L, "x", "", "nfs4x",
                "", false).description());
        assertEquals(List.of("MESSAGE_PARAMETER_COUNT_MISMATCH", "SR.create", "8", "2"),
                fails("SR.create", session, node.hostRef(), Map.of()).description());
        assertEquals(List.of("HANDLE_INVALID", "SR", "OpaqueRef:nope"),
                fails("VDI.create", session, Map.of("SR", "OpaqueRef:nope", "virtual_size", MIB)).description());
        assertEquals(List.of("HANDLE_INVALID", "VDI", "OpaqueRef:nope"), fails("VDI.destroy", session, "OpaqueRef:nope").description());
        assertEquals(List.of("HANDLE_INVALID", "VDI", sr), fails("VDI.resize", session, sr, MIB).description());
        String vdi = createVdi(sr, MIB, "x");
        assertEquals(List.of("INTERNAL_ERROR", "Failure(\"Int64.of_string\")"), fails("VDI.resize", session, vdi, "big").description());
        assertEquals(List.of("HANDLE_INVALID", "SR", ClassDef.NULL_REF), fails("VDI.copy", session, vdi).description());
        String pbd = ((List<?>) call("SR.get_PBDs", session, sr)).getFirst().toString();
        assertEquals(List.of("PBD_EXISTS", sr, node.hostRef(), pbd), fails("PBD.create", session,
                Map.of("SR", sr, "host", node.hostRef(), "device_config", Map.of())).description());
        String uuid = (String) call("SR.get_uuid", session, sr);
        assertEquals(List.of("SR_UUID_EXISTS", uuid), fails("SR.introduce", session, uuid, "", "", "file", "user", false).description());
        assertEquals(List.of("LOCATION_NOT_UNIQUE", sr, call("VDI.get_location", session, vdi)), fails("VDI.introduce", session, "", "x", "",
                sr, "user", false, false, Map.of(), call("VDI.get_location", session, vdi)).description());
    }


    @Test
    void introducedVdisAndForgottenOnesComeBackOnScan() {
        String sr = defaultSr();
        String vdi = createVdi(sr, MIB, "kept");
        String location = (String) call("VDI.get_location", session, vdi);
        call("VDI.forget", session, vdi);
        assertEquals(List.of(), call("SR.get_VDIs", session, sr));
        String back = (String) call("VDI.introduce", session, location, "back", "", sr, "user", false, false, Map.of(), location);
        assertEquals(MIB, call("VDI.get_virtual_size", session, back));
        assertEquals(location, call("VDI.get_uuid", session, back));
        assertNull(((Map<?, ?>) call("VDI.get_sm_config", session, back)).get(Storage.PARENT_KEY));
    }
}
