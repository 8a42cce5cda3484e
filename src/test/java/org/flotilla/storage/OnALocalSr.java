package org.flotilla.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flotilla.TestCommand;
import org.flotilla.api.Refs;
import org.flotilla.daemon.InProcessNode;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.qemu.TestGuest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the storage tests: a node in this JVM, driven through its XenAPI dispatch, with its local SR in the
 * test's own directory; real qcow2 images made and read by qemu-img; and decoys, files of the test's own that
 * stand for a host file no guest may see.
 */
abstract class OnALocalSr extends InProcessNode {
    static final long MIB = 1 << 20;
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] SECRET = "a host file no guest may read\n".getBytes();

    @BeforeEach
    void start() { boot(); }

    @AfterEach
    void stop() { if (node != null) node.close(); }

    /**
     * Closes the node and kills the QEMUs it ran, then runs {@code after}: for a test whose storage server must outlive
     * the VMs that use it, and stop even when the node cannot close.
     */
    void closeNodeAndItsGuests(Runnable after) {
        List<Long> qemus = node == null ? List.of() : List.copyOf(node.vmRuntime().pids().values());
        try {
            if (node != null) node.close();
            node = null;
            for (long pid : qemus) ProcessHandle.of(pid).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            });
        } finally {
            after.run();
        }
    }

    /**
     * As Xen Orchestra reattaches a forgotten SR: SR.probe finds its uuid, SR.introduce makes its record, a PBD for this
     * host with {@code config} is made and plugged; the SR holds the one VDI at {@code location}, of {@code size}. Returns the PBD.
     */
    String reattach(String uuid, String type, Map<String, String> config, String location, long size) {
        assertTrue(((String) call("SR.probe", session, node.hostRef(), config, type, Map.of())).contains("<UUID>" + uuid + "</UUID>"));
        String again = (String) call("SR.introduce", session, uuid, "again", "", type, "user", true, Map.of());
        String pbd = (String) call("PBD.create", session, Map.of("host", node.hostRef(), "SR", again, "device_config", config, "other_config", Map.of()));
        call("PBD.plug", session, pbd);
        List<?> vdis = (List<?>) call("SR.get_VDIs", session, again);
        assertEquals(List.of(location), vdis.stream().map(v -> call("VDI.get_location", session, v)).toList());
        assertEquals(size, call("VDI.get_virtual_size", session, vdis.getFirst()));
        return pbd;
    }

    /** The node started again where the test guest's kernel is found, for a test that runs it. */
    void rebootWithTheTestGuest() throws Exception {
        TestGuest.ensureBuilt();
        System.setProperty("flotilla.kernel-dirs", TestGuest.DIR.toString());
        node.close();
        boot();
    }

    String defaultSr() { return (String) call("pool.get_default_SR", session, node.poolRef()); }

    Path localDir() { return dir.resolve("sr").resolve("local"); }

    String createVdi(String sr, long size, String name) {
        return (String) call("VDI.create", session, Map.of("name_label", name, "SR", sr, "virtual_size", Long.toString(size),
                "type", "user", "sharable", false, "read_only", false, "other_config", Map.of()));
    }

    Path image(String vdi) {
        var r = record("VDI", vdi);
        String pbd = ((List<?>) record("SR", (String) r.get("SR")).get("PBDs")).getFirst().toString();
        @SuppressWarnings("unchecked")
        var dc = (Map<String, String>) record("PBD", pbd).get("device_config");
        return Path.of(dc.get("location")).resolve(r.get("location") + ".qcow2");
    }

    /** A guest of the test guest counting on its disk: the VM, and the serial log it counts on. */
    record CountingGuest(Ref<VM> vm, Path serial) {}

    /** A counting guest with {@code vdi} as its disk, started, once it has counted five times. */
    CountingGuest startCountingGuest(String vdi) throws Exception {
        Ref<VM> vm = VM.CLASS.ref(haltedGuestWith("counter", vdi, VbdType.Disk, "console=ttyS0 quiet panic=-1 flotilla.mode=counter flotilla.counter_ms=50").vm());
        node.vmRuntime().refreshAllowedOperations();
        call("VM.start", session, vm.value(), false, false);
        Path serial = dir.resolve("run").resolve(node.db().require(vm).get(VM.uuid)).resolve("serial.log");
        TestGuest.awaitCounts(serial, 5);
        return new CountingGuest(vm, serial);
    }

    /** A VM and its VBD, written into the database as they are: no message checks them. */
    record Guest(String vm, String vbd) {}

    /** A halted VM of the test guest with the VDI as its device 0: a CD read-only, a disk read-write. */
    Guest haltedGuestWith(String name, String vdi, VbdType type) { return haltedGuestWith(name, vdi, type, "console=ttyS0"); }

    /** The same, its kernel booted with {@code pvArgs}. */
    Guest haltedGuestWith(String name, String vdi, VbdType type, String pvArgs) {
        Ref<VM> vm = Refs.newRef(VM.CLASS);
        Ref<VBD> vbd = Refs.newRef(VBD.CLASS);
        node.db().write(tx -> {
            tx.put(vm, Rec.of(VM.CLASS, TestGuest.vmFields(name, 128, pvArgs))
                    .set(VM.uuid, Refs.newUuid())
                    .set(VM.power_state, VmPowerState.Halted)
                    .set(VM.memory_target, 128L << 20));
            tx.put(vbd, node.db().newRecord(VBD.CLASS)
                    .set(VBD.uuid, Refs.newUuid())
                    .set(VBD.VM, vm)
                    .set(VBD.VDI, VDI.CLASS.ref(vdi))
                    .set(VBD.userdevice, "0")
                    .set(VBD.bootable, true)
                    .set(VBD.mode, type == VbdType.CD ? VbdMode.RO : VbdMode.RW)
                    .set(VBD.type, type)
                    .set(VBD.unpluggable, true)
                    .set(VBD.empty, false));
        });
        return new Guest(vm.value(), vbd.value());
    }

    static String run(String... cmd) {
        TestCommand.Result r = TestCommand.run(List.of(cmd));
        if (r.exit() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + r.output());
        return r.output();
    }

    static JsonNode info(Path image) throws IOException { return JSON.readTree(run("qemu-img", "info", "-U", "--output=json", image.toString())); }

    static List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) { return s.map(p -> p.getFileName().toString()).sorted().toList(); }
    }

    /** The daemon restarted with {@code qemuImg} in place of the system's qemu-img. */
    void rebootWithQemuImg(Path qemuImg) throws IOException {
        Files.setPosixFilePermissions(qemuImg, PosixFilePermissions.fromString("rwx------"));
        node.close();
        System.setProperty("flotilla.qemu-img", qemuImg.toString());
        try {
            boot();
        } finally {
            System.clearProperty("flotilla.qemu-img");
        }
    }

    /** A file only root may read, standing for /etc/shadow and the like. */
    Path decoy(String name) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, SECRET);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** The decoy is as it was made: root's, 0600, the same bytes. */
    static void assertUntouched(Path decoy) throws IOException {
        assertEquals("root", Files.getOwner(decoy, LinkOption.NOFOLLOW_LINKS).getName(), decoy + " changed hands");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(decoy, LinkOption.NOFOLLOW_LINKS)));
        assertArrayEquals(SECRET, Files.readAllBytes(decoy));
    }

    /** A qcow2 image at {@code image} whose header names {@code backing} (as written) in {@code format}. */
    static void qcow2Over(Path image, String backing, String format) {
        run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", backing, "-F", format, image.toString(), Long.toString(MIB));
    }

    /** The images behind the VDI, as the storage hands them to QEMU. */
    Storage.Attachment attachment(String vdi) { return node.storage().attachment(VDI.CLASS.ref(vdi)); }

    /** The VDI's chain as the storage hands it to QEMU, described to qemu-img in full: no image opened by a header's say. */
    String explicitChain(String vdi) {
        Storage.Attachment a = attachment(vdi);
        JsonNode below = NullNode.getInstance();
        for (Storage.Layer l : a.layers().reversed()) {
            ObjectNode n = JSON.createObjectNode().put("driver", l.format());
            n.set("file", a.store().fileNode(l.file()));
            n.set("backing", below);
            below = n;
        }
        return "json:" + below;
    }

    /** qemu-img check passes on the VDI's chain, opened as {@link #explicitChain} describes it. */
    void assertChainChecks(String vdi) { run("qemu-img", "check", "-U", explicitChain(vdi)); }
}
