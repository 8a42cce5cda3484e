package org.flotilla.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.flotilla.Slow;
import org.flotilla.model.ApiError;
import org.flotilla.runtime.launch.VcpuLimits;
import org.flotilla.vm.EfiVariables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Values a client sets that the host would only find too big once it acts on them: a small gzip that expands to
 * hundreds of MiB as UEFI variables, a vTPM state too large, memory and VCPU counts no host or QEMU has. Each is
 * refused with a XenAPI error, when set or at VM.start as XAPI does, and nothing is written or launched.
 */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmInputBoundsTest extends OnAVmHost {
    /** base64 of a gzip of {@code mib} MiB of zeros: about a thousandth of that on the wire. */
    static String gzipBomb(int mib) throws Exception {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < mib; i++) gz.write(zeros);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    String uefiVm(String name) {
        return h.newVm(name, "idle", 128, f -> f.put("platform", Map.of("firmware", "uefi")));
    }

    Path nvramFile(String vm) { return h.state.resolve("nvram").resolve(h.vm(vm).get("uuid") + ".fd"); }

    static void assertRefusedStore(ApiError e) {
        assertEquals("VALUE_NOT_SUPPORTED", e.code());
        assertEquals(List.of("NVRAM", EfiVariables.KEY), e.params().subList(0, 2));
    }

    @Test
    void uefiVariablesAreBoundedBeforeTheyAreExpanded() throws Exception {
        String bomb = gzipBomb(200);
        assertTrue(bomb.length() < 300 * 1024, "small enough for one XenAPI request: " + bomb.length());
        String vm = uefiVm("bombed");
        int vms = h.node.db().all("VM").size();
        assertRefusedStore(h.fails("VM.set_NVRAM", vm, Map.of(EfiVariables.KEY, bomb)));
        assertRefusedStore(h.fails("VM.add_to_NVRAM", vm, EfiVariables.KEY, bomb));
        assertRefusedStore(h.fails("VM.set_NVRAM_EFI_variables", vm, bomb));
        assertRefusedStore(h.fails("VM.set_NVRAM_EFI_variables", vm, "not base64!"));
        var record = new LinkedHashMap<String, Object>(Map.of("name_label", "created bombed", "NVRAM", Map.of(EfiVariables.KEY, bomb)));
        assertRefusedStore(h.fails("VM.create", record));
        // nothing was written (the generation would not do: the metrics sampler writes beside the test)
        assertEquals(vms, h.node.db().all("VM").size(), "no VM was created");
        assertEquals(Map.of(), h.vm(vm).get("NVRAM"));

        // a real store, gzipped, is taken
        byte[] store = Files.readAllBytes(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"));
        h.call("VM.set_NVRAM_EFI_variables", vm, EfiVariables.encode(store));
        h.call("VM.add_to_NVRAM", vm, "other", "anything");

        // a store that got in before the bound (an older daemon's record) is refused at start, before any file is written
        h.node.db().write(tx -> tx.set("VM", vm, "NVRAM", Map.of(EfiVariables.KEY, bomb)));
        assertRefusedStore(h.fails("VM.start", vm, false, false));
        assertFalse(Files.exists(nvramFile(vm)), "no variable store was written");
        assertEquals("Halted", h.power(vm));
        assertTrue(h.qemuPids().isEmpty());
    }

    @Test
    void vtpmStateIsBounded() {
        String vm = h.newVm("with a vTPM", "idle");
        String vtpm = (String) h.call("VTPM.create", vm, false);
        byte[] big = new byte[(1 << 20) + 3];
        var e = h.fails("VTPM.set_contents", vtpm, Base64.getEncoder().encodeToString(big));
        assertEquals("VALUE_NOT_SUPPORTED", e.code());
        assertEquals("contents", e.params().getFirst());
        assertEquals("", h.call("VTPM.get_contents", vtpm));
        String small = Base64.getEncoder().encodeToString(new byte[16 << 10]);
        h.call("VTPM.set_contents", vtpm, small);
        assertEquals(small, h.call("VTPM.get_contents", vtpm));
    }

    @Test
    void memoryBeyondAnyHostIsRefusedAtStart() {
        String vm = h.newVm("2^63-1 bytes", "idle");
        h.call("VM.set_memory_limits", vm, 16L << 20, Long.MAX_VALUE, 128L << 20, 128L << 20);
        assertEquals(Long.MAX_VALUE, h.vm(vm).get("memory_static_max"), "accepted when set, as in XAPI");
        var e = h.fails("VM.start", vm, false, false);
        assertEquals("HOST_NOT_ENOUGH_FREE_MEMORY", e.code());
        assertEquals(Long.toString(Long.MAX_VALUE), e.params().get(0));
        assertTrue(Long.parseLong(e.params().get(1)) > 0);
        assertEquals("Halted", h.power(vm));
        assertTrue(h.qemuPids().isEmpty());
    }

    @Test
    void vcpusBeyondTheHostAndQemuAreRefusedAtStart() {
        String vm = h.newVm("100000 VCPUs", "idle");
        h.call("VM.set_VCPUs_max", vm, 100_000L);
        long pcpus = Long.parseLong(((Map<?, ?>) h.node.db().record("host", h.node.hostRef()).get("cpu_info")).get("cpu_count").toString());
        // as XAPI: VM.start finds no host for it; the host named says why
        assertEquals(List.of("NO_HOSTS_AVAILABLE"), h.fails("VM.start", vm, false, false).description());
        assertEquals(List.of("HOST_NOT_ENOUGH_PCPUS", "100000", Long.toString(pcpus)),
                h.fails("VM.start_on", vm, h.node.hostRef(), false, false).description());

        // vcpu-unrestricted lifts the host's count, not QEMU's
        h.call("VM.add_to_platform", vm, VcpuLimits.UNRESTRICTED, "true");
        assertEquals(List.of("VM_TOO_MANY_VCPUS", vm), h.fails("VM.start", vm, false, false).description());
        assertEquals("Halted", h.power(vm));
        assertTrue(h.qemuPids().isEmpty());
    }
}
