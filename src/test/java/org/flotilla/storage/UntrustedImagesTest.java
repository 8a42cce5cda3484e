package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.enums.VbdType;
import org.junit.jupiter.api.Test;

/**
 * Images are data, never paths: an image dropped in an SR (or changed there after its scan) that names a
 * file outside the SR, is a link, or keeps its data elsewhere is refused at scan, at attach and at VM.start,
 * and the host file it names is never opened, given away or changed.
 */
class UntrustedImagesTest extends OnALocalSr {

    private static void assertRefused(ApiError e, String status, String... names) {
        assertEquals("SR_BACKEND_FAILURE", e.code(), e.description().toString());
        assertEquals(status, e.params().getFirst(), e.description().toString());
        for (String n : names) assertTrue(e.params().get(2).contains(n), n + " in " + e.params());
    }

    @Test
    void aScanRecordsTheSrsOwnImagesAndNamesTheOnesItRefuses() throws IOException {
        Path decoy = decoy("shadow");
        Path sr = localDir();
        String plain = Refs.newUuid();
        String base = Refs.newUuid();
        String child = Refs.newUuid();
        String sibling = Refs.newUuid(); // two children: the base is no single child's for the collector to merge away
        run("qemu-img", "create", "-q", "-f", "qcow2", sr.resolve(plain + ".qcow2").toString(), "1M");
        run("qemu-img", "create", "-q", "-f", "qcow2", sr.resolve(base + ".qcow2").toString(), "1M");
        qcow2Over(sr.resolve(child + ".qcow2"), base + ".qcow2", "qcow2");
        qcow2Over(sr.resolve(sibling + ".qcow2"), base + ".qcow2", "qcow2");

        var bad = new java.util.LinkedHashMap<String, String>();
        bad.put("absolute", Refs.newUuid());
        qcow2Over(sr.resolve(bad.get("absolute") + ".qcow2"), decoy.toString(), "qcow2");
        bad.put("dotdot", Refs.newUuid());
        qcow2Over(sr.resolve(bad.get("dotdot") + ".qcow2"), "../../shadow", "raw");
        bad.put("proc", Refs.newUuid());
        qcow2Over(sr.resolve(bad.get("proc") + ".qcow2"), "/proc/self/root" + decoy, "qcow2");
        bad.put("raw backing", Refs.newUuid());
        qcow2Over(sr.resolve(bad.get("raw backing") + ".qcow2"), plain + ".qcow2", "raw");
        bad.put("not in this SR", Refs.newUuid());
        qcow2Over(sr.resolve(bad.get("not in this SR") + ".qcow2"), Refs.newUuid() + ".qcow2", "qcow2");
        bad.put("built on a refused one", Refs.newUuid());
        qcow2Over(sr.resolve(bad.get("built on a refused one") + ".qcow2"), bad.get("absolute") + ".qcow2", "qcow2");
        bad.put("link", Refs.newUuid());
        Files.createSymbolicLink(sr.resolve(bad.get("link") + ".qcow2"), decoy);
        bad.put("link to an image", Refs.newUuid());
        Path outside = dir.resolve("outside.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", outside.toString(), "1M");
        Files.createSymbolicLink(sr.resolve(bad.get("link to an image") + ".qcow2"), outside);
        bad.put("data file", Refs.newUuid());
        run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("data.raw"),
                sr.resolve(bad.get("data file") + ".qcow2").toString(), "1M");
        List<String> before = files(sr);

        for (int scan = 0; scan < 2; scan++) {
            ApiError e = fails("SR.scan", session, defaultSr());
            assertRefused(e, "40", bad.values().stream().map(u -> u + ".qcow2").toArray(String[]::new));
            assertRefused(e, "40", "'" + decoy + "' is not an image of this SR", "'../../shadow' is not an image",
                    "'/proc/self/root" + decoy + "' is not an image", "symbolic link", "external data file", "declared raw");
            for (String good : List.of(plain, base, child, sibling)) assertFalse(e.params().get(2).contains(good), good + " refused: " + e.params());
            for (String refused : bad.values()) {
                assertEquals(List.of("UUID_INVALID", "VDI", refused), fails("VDI.get_by_uuid", session, refused).description());
            }
            String childVdi = (String) call("VDI.get_by_uuid", session, child);
            assertEquals(base, ((Map<?, ?>) call("VDI.get_sm_config", session, childVdi)).get(Storage.PARENT_KEY));
            assertEquals(false, call("VDI.get_managed", session, call("VDI.get_by_uuid", session, base)));
            assertEquals(true, call("VDI.get_managed", session, call("VDI.get_by_uuid", session, plain)));
            assertEquals(4, ((List<?>) call("SR.get_VDIs", session, defaultSr())).size());
            assertEquals(before, files(sr), "refused images are left where they are");
            assertUntouched(decoy);
        }
        assertChainChecks((String) call("VDI.get_by_uuid", session, child));
    }

    @Test
    void anImageChangedAfterItsScanIsRefusedAtAttachAndAtStart() throws Exception {
        Path decoy = decoy("shadow");
        String disk = createVdi(defaultSr(), 4 * MIB, "system disk");
        String snap = (String) call("VDI.snapshot", session, disk, Map.of());
        String base = (String) ((Map<?, ?>) call("VDI.get_sm_config", session, disk)).get(Storage.PARENT_KEY);
        Storage.Attachment a = attachment(disk);
        assertEquals(new LocalDir(localDir()), a.store());
        assertEquals(List.of(new Storage.Layer(call("VDI.get_location", session, disk) + ".qcow2", "qcow2"),
                new Storage.Layer(base + ".qcow2", "qcow2")), a.layers());
        assertEquals(image(disk), a.image());
        assertEquals("qcow2", a.format());
        assertFalse(a.readOnly());
        assertChainChecks(disk);
        assertChainChecks(snap);

        String vm = haltedGuestWith("untrusted", disk, VbdType.Disk).vm();
        Path leaf = image(disk);
        Files.delete(leaf);
        qcow2Over(leaf, decoy.toString(), "raw");
        assertRefused(assertThrowsApi(() -> attachment(disk)), "46", leaf.getFileName().toString());
        assertRefused(fails("VM.start", session, vm, false, false), "46");
        assertEquals("Halted", call("VM.get_power_state", session, vm));
        assertRefused(fails("VDI.snapshot", session, disk, Map.of()), "46");
        assertRefused(fails("VDI.resize", session, disk, 8 * MIB), "46");
        assertRefused(fails("VDI.copy", session, disk, defaultSr()), "46");
        assertUntouched(decoy);

        // a header naming another VDI's image than the records do: another disk's data is not this disk's
        Files.delete(leaf);
        String stranger = createVdi(defaultSr(), 4 * MIB, "someone else's");
        qcow2Over(leaf, call("VDI.get_location", session, stranger) + ".qcow2", "qcow2");
        assertRefused(assertThrowsApi(() -> attachment(disk)), "46", "records");

        // a link in place of an image of the chain, even to a good image
        Files.delete(leaf);
        Path outside = dir.resolve("outside.qcow2");
        qcow2Over(outside, base + ".qcow2", "qcow2");
        Files.createSymbolicLink(leaf, outside);
        assertRefused(assertThrowsApi(() -> attachment(disk)), "46", "symbolic link");
        assertRefused(fails("VM.start", session, vm, false, false), "46");

        // the bottom of the chain gone: as a missing image
        Files.delete(leaf);
        qcow2Over(leaf, base + ".qcow2", "qcow2");
        assertChainChecks(disk);
        Files.delete(localDir().resolve(base + ".qcow2"));
        String baseRef = (String) call("VDI.get_by_uuid", session, base);
        assertEquals(List.of("VDI_MISSING", defaultSr(), baseRef), assertThrowsApi(() -> attachment(disk)).description());
        assertUntouched(decoy);
    }

    @Test
    void aLinkInAnIsoLibraryIsNeverAnIso() throws Exception {
        Path decoy = decoy("shadow");
        Path isos = Files.createDirectories(dir.resolve("isos"));
        Files.write(isos.resolve("good.iso"), new byte[4096]);
        Files.createSymbolicLink(isos.resolve("evil.iso"), decoy);
        Files.createSymbolicLink(isos.resolve("zero.iso"), Path.of("/dev/zero"));
        run("mkfifo", isos.resolve("pipe.iso").toString());
        String sr = (String) call("SR.create", session, node.hostRef(), Map.of("location", isos.toString()), 0L, "ISOs", "", "iso", "iso", false);
        assertRefused(fails("SR.scan", session, sr), "40", "evil.iso", "zero.iso", "pipe.iso");
        @SuppressWarnings("unchecked")
        var vdis = (List<String>) call("SR.get_VDIs", session, sr);
        assertEquals(List.of("good.iso"), vdis.stream().map(v -> call("VDI.get_location", session, v)).toList());
        String good = vdis.getFirst();

        // the ISO replaced by a link after the scan
        Files.delete(isos.resolve("good.iso"));
        Files.createSymbolicLink(isos.resolve("good.iso"), decoy);
        assertRefused(assertThrowsApi(() -> attachment(good)), "46", "symbolic link");
        String vm = haltedGuestWith("untrusted", good, VbdType.CD).vm();
        assertRefused(fails("VM.start", session, vm, false, false), "46");
        assertRefused(fails("VDI.copy", session, good, defaultSr()), "46");
        assertUntouched(decoy);
    }

    private static ApiError assertThrowsApi(org.junit.jupiter.api.function.Executable e) {
        return org.junit.jupiter.api.Assertions.assertThrows(ApiError.class, e);
    }
}
