package org.flotilla.pool;

import org.flotilla.db.DbObject;
import org.flotilla.model.xenapi.VM;

/** The memory a VM takes from a host while it runs: all of memory_static_max (Flotilla boots at it) and QEMU's overhead. */
public final class VmMemory {
    public static final long MIB = 1024 * 1024;

    private VmMemory() {}

    /** XAPI-like overhead: page tables and device model, ~1% of the VM's memory plus a fixed part. */
    public static long overhead(long staticMax) { return 32 * MIB + staticMax / 100; }

    /** What a VM of {@code staticMax} needs free on a host to boot; near 2^63 the sum saturates rather than wrap round and seem to fit. */
    public static long required(long staticMax) {
        long overhead = overhead(staticMax);
        long sum = staticMax + overhead;
        return ((staticMax ^ sum) & (overhead ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    public static long required(DbObject<VM> vm) { return required(vm.get(VM.memory_static_max)); }
}
