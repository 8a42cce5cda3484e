package org.flotilla.runtime;

import static org.flotilla.TestTimeouts.LOADED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.flotilla.runtime.domain.HostFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.flotilla.runtime.launch.Vtpms;
import org.flotilla.Slow;
import org.flotilla.vm.EfiVariables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * What a VM owns beyond its disks stays with its records, on real QEMUs (OVMF, swtpm) under TCG: its UEFI
 * variables in VM.NVRAM and its vTPM's state in a secret, written back when it stops, restored before it
 * starts, carried by VM.clone, removed with the VM.
 */
@Slow
@Execution(ExecutionMode.CONCURRENT)
class VmOwnedStateTest extends OnAVmHost {
    private static final Duration BOOT = Duration.ofSeconds(60 * LOADED);

    @SuppressWarnings("unchecked")
    private Map<String, String> nvram(String vm) { return (Map<String, String>) h.vm(vm).get("NVRAM"); }

    private Path nvramFile(String vm) { return dir.resolve("nvram").resolve(h.vm(vm).get("uuid") + ".fd"); }

    private static byte[] decode(String efiVariables) throws Exception { return EfiVariables.decode(efiVariables); }

    @Test
    void uefiVariablesLiveInVmNvram() throws Exception {
        String vm = h.newVm("uefi", "idle", 128, f -> {
            f.put("PV_kernel", "");
            f.put("HVM_boot_policy", "BIOS order");
            f.put("platform", Map.of("firmware", "uefi"));
        });
        byte[] template = Files.readAllBytes(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"));
        h.call("VM.start", vm, false, false);
        Path file = nvramFile(vm);
        // OVMF records its boot options on a first boot: the store is then no longer the template
        VmHost.await(() -> {
            try { return !Arrays.equals(template, Files.readAllBytes(file)); } catch (Exception e) { return false; }
        }, BOOT, "OVMF to write its variables");
        assertEquals(List.of("VM_BAD_POWER_STATE", vm, "halted", "running"), h.fails("VM.set_NVRAM", vm, Map.of()).description());
        h.call("VM.hard_shutdown", vm);

        String saved = nvram(vm).get(EfiVariables.KEY);
        assertArrayEquals(Files.readAllBytes(file), decode(saved));
        assertTrue(saved.length() < 64 * 1024, "gzipped, the store is small enough for records and requests: " + saved.length());

        // a state directory without the file (another host, a lost disk): the VM boots with its own variables
        Files.delete(file);
        h.call("VM.start", vm, true, false);
        assertArrayEquals(decode(saved), Files.readAllBytes(file));
        assertEquals(0, VmHost.owner(file), "root's: QEMU writes it through the descriptor it was handed");
        h.call("VM.hard_shutdown", vm);
        assertEquals(saved, nvram(vm).get(EfiVariables.KEY), "a paused boot changed nothing");

        String clone = (String) h.call("VM.clone", vm, "uefi clone");
        assertEquals(nvram(vm), nvram(clone));
        h.call("VM.start", clone, true, false);
        assertArrayEquals(decode(saved), Files.readAllBytes(nvramFile(clone)));
        h.call("VM.hard_shutdown", clone);

        // NVRAM may be changed only while halted; XAPI's map messages
        h.call("VM.add_to_NVRAM", vm, "note", "x");
        assertEquals("MAP_DUPLICATE_KEY", h.fails("VM.add_to_NVRAM", vm, "note", "y").code());
        h.call("VM.remove_from_NVRAM", vm, "note");
        assertEquals(Map.of(EfiVariables.KEY, saved), nvram(vm));

        // a snapshot keeps the variables as they were; revert brings them back
        String snapshot = (String) h.call("VM.snapshot", vm, "before");
        h.call("VM.set_NVRAM", vm, Map.of(EfiVariables.KEY, EfiVariables.encode(template)));
        h.call("VM.revert", snapshot);
        assertEquals(Map.of(EfiVariables.KEY, saved), nvram(vm));

        Path cloneFile = nvramFile(clone);
        h.call("VM.destroy", clone);
        assertFalse(Files.exists(cloneFile));
        h.call("VM.destroy", vm);
        assertFalse(Files.exists(file));
    }

    @Test
    void vtpmStateLivesInASecret() throws Exception {
        String vm = h.newVm("vtpm", "idle", 128, f -> f.put("PV_kernel", VmHost.GUEST.resolve("vmlinuz").toString()));
        String vtpm = (String) h.call("VTPM.create", vm, false);
        String secret = (String) h.node.db().record("VTPM", vtpm).get("contents");
        assertEquals("", h.node.db().record("secret", secret).get("value"), "an empty TPM before its first boot");
        assertEquals("", h.call("VTPM.get_contents", vtpm));

        h.call("VM.start", vm, false, false);
        h.awaitSerial(vm, "FLOTILLA-GUEST tpm /dev/tpm0", 1, BOOT);
        h.call("VM.hard_shutdown", vm);
        Path state = dir.resolve("vtpm").resolve((String) h.node.db().record("VTPM", vtpm).get("uuid"));
        Path permall = state.resolve(Vtpms.STATE_FILE);
        byte[] tpm = Files.readAllBytes(permall);
        assertTrue(tpm.length > 0);
        String contents = (String) h.call("VTPM.get_contents", vtpm);
        assertArrayEquals(tpm, Base64.getDecoder().decode(contents));

        // the state directory lost, and the daemon restarted: the TPM comes back from the database
        HostFiles.deleteTree(state);
        h.closeNode();
        h.open();
        h.call("VM.start", vm, true, false);
        assertArrayEquals(tpm, Files.readAllBytes(permall));
        assertEquals(h.jailUid(vm), VmHost.owner(permall), "the swtpm of this boot's jail has it");
        h.call("VM.hard_shutdown", vm);

        // a clone's VTPM has its own secret with the same contents; a unique VTPM's contents are never copied
        String clone = (String) h.call("VM.clone", vm, "vtpm clone");
        String cloneVtpm = ((List<?>) h.vm(clone).get("VTPMs")).getFirst().toString();
        assertNotEquals(secret, h.node.db().record("VTPM", cloneVtpm).get("contents"));
        assertEquals(contents, h.call("VTPM.get_contents", cloneVtpm));
        String unique = h.newVm("unique", "idle");
        String uniqueVtpm = (String) h.call("VTPM.create", unique, true);
        h.call("VTPM.set_contents", uniqueVtpm, contents);
        assertEquals(contents, h.call("VTPM.get_contents", uniqueVtpm));
        String uniqueClone = (String) h.call("VM.clone", unique, "unique clone");
        assertEquals("", h.call("VTPM.get_contents", ((List<?>) h.vm(uniqueClone).get("VTPMs")).getFirst().toString()));
        assertEquals("INTERNAL_ERROR", h.fails("VTPM.set_contents", uniqueVtpm, "not base64!").code());

        // VTPM.destroy and VM.destroy take the secrets with them
        int secrets = h.node.db().count("secret");
        h.call("VTPM.destroy", vtpm);
        assertNull(h.node.db().get("secret", secret));
        assertFalse(Files.exists(state));
        String cloneSecret = (String) h.node.db().record("VTPM", cloneVtpm).get("contents");
        h.call("VM.destroy", clone);
        assertNull(h.node.db().get("secret", cloneSecret));
        assertEquals(secrets - 2, h.node.db().count("secret"));

        // revert gives the VM a copy of the snapshot's VTPM, as it was taken
        String snapshot = (String) h.call("VM.snapshot", unique, "before");
        h.call("VTPM.set_contents", uniqueVtpm, Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
        h.call("VM.revert", snapshot);
        String reverted = ((List<?>) h.vm(unique).get("VTPMs")).getFirst().toString();
        assertNull(h.node.db().get("VTPM", uniqueVtpm));
        assertEquals("", h.call("VTPM.get_contents", reverted), "a unique VTPM's contents are not copied, even back");
        String shared = h.newVm("shared", "idle");
        String sharedVtpm = (String) h.call("VTPM.create", shared, false);
        h.call("VTPM.set_contents", sharedVtpm, contents);
        String sharedSnapshot = (String) h.call("VM.snapshot", shared, "before");
        h.call("VTPM.set_contents", sharedVtpm, "");
        h.call("VM.revert", sharedSnapshot);
        assertEquals(contents, h.call("VTPM.get_contents", ((List<?>) h.vm(shared).get("VTPMs")).getFirst().toString()));
    }
}
