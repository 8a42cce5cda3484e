package org.flotilla.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class QmpAcceleratorTest {
    private static final String VMX = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr vmx sse2\n";
    private static final String NONE = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr hypervisor sse2\n";

    @Test
    void kvmOnlyWithHardwareVirtualizationAndAUsableDevice() {
        assertEquals("kvm", Accelerator.choose(VMX, true, null));
        assertEquals("kvm", Accelerator.choose(NONE.replace("msr", "msr svm"), true, null));
        assertEquals("tcg", Accelerator.choose(NONE, true, null), "a /dev/kvm without vmx/svm is not enough");
        assertEquals("tcg", Accelerator.choose(VMX, false, null));
        assertEquals("tcg", Accelerator.choose(VMX.replace("vmx", "vmxnet"), true, null));
    }

    @Test
    void administratorOverrides() {
        assertEquals("tcg", Accelerator.choose(VMX, true, "TCG"));
        assertEquals("kvm", Accelerator.choose(NONE, false, "kvm"));
        assertThrows(IllegalArgumentException.class, () -> Accelerator.choose(VMX, true, "hvf"));
    }
}
