package org.flotilla.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.flotilla.model.Model;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.PCI;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.junit.jupiter.api.Test;

/** Records written for another pool's database and read there: every stored field kept, references made that pool's or cleared. */
class RecordTransferTest {
    private final Model model = XenApi.model();
    private final RecordTransfer transfer = new RecordTransfer(model);

    @Test
    void aRecordComesBackWholeWithItsReferencesMappedOrCleared() {
        Ref<VM> vm = VM.CLASS.ref("OpaqueRef:vm");
        Ref<VDI> there = VDI.CLASS.ref("OpaqueRef:vdi-there");
        Rec<VBD> sent = Rec.empty(VBD.CLASS).set(VBD.VM, vm).set(VBD.VDI, VDI.CLASS.ref("OpaqueRef:vdi-here"))
                .set(VBD.userdevice, "0").set(VBD.mode, VbdMode.RW).set(VBD.other_config, Map.of("k", "v"));
        Rec<VBD> got = transfer.read(VBD.CLASS, transfer.write(sent), r -> r.equals("OpaqueRef:vdi-here") ? there.value() : null);
        assertEquals(VM.CLASS.nullRef(), got.get(VBD.VM), "a reference the map does not know names nothing there");
        assertEquals(there, got.get(VBD.VDI));
        assertEquals("0", got.get(VBD.userdevice));
        assertEquals(VbdMode.RW, got.get(VBD.mode));
        assertEquals(Map.of("k", "v"), got.get(VBD.other_config));
        assertTrue(got.has(VBD.bootable), "fields not given take their defaults, as a stored record has them all");
    }

    @Test
    void setsOfReferencesKeepOnlyWhatTheOtherPoolHasAndValuesKeepTheirTypes() {
        Rec<VM> sent = Rec.empty(VM.CLASS).set(VM.uuid, "u").set(VM.power_state, VmPowerState.Running)
                .set(VM.attached_PCIs, List.of(PCI.CLASS.ref("OpaqueRef:a"), PCI.CLASS.ref("OpaqueRef:b")))
                .set(VM.memory_static_max, 1L << 30).set(VM.HVM_shadow_multiplier, 1.5).set(VM.last_booted_record, "x")
                .set(VM.start_delay, 7L).set(VM.NVRAM, Map.of("EFI-variables", "AAAA"));
        Rec<VM> got = transfer.read(VM.CLASS, transfer.write(sent), r -> r.equals("OpaqueRef:b") ? "OpaqueRef:b2" : null);
        assertEquals(List.of(PCI.CLASS.ref("OpaqueRef:b2")), got.get(VM.attached_PCIs));
        assertEquals(VmPowerState.Running, got.get(VM.power_state));
        assertEquals(1L << 30, got.get(VM.memory_static_max));
        assertEquals(1.5, got.get(VM.HVM_shadow_multiplier));
        assertEquals(7L, got.get(VM.start_delay));
        assertEquals(Map.of("EFI-variables", "AAAA"), got.get(VM.NVRAM));
        assertEquals(VM.CLASS.nullRef(), got.get(VM.snapshot_of));
    }
}
