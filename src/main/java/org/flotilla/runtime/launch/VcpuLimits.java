package org.flotilla.runtime.launch;

import java.util.Map;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.qemu.QemuMachines;

/**
 * The VCPUs a VM may start with on this host. As XAPI (xapi_vm_helpers.ml, assert_enough_pcpus): no more than the
 * host has CPUs, HOST_NOT_ENOUGH_PCPUS, unless platform:vcpu-unrestricted is true; and never more than QEMU's machine
 * takes, VM_TOO_MANY_VCPUS, which is what Xen's own limit is to XAPI.
 */
public final class VcpuLimits {
    public static final String UNRESTRICTED = "vcpu-unrestricted";
    /** host.cpu_info's key for the number of CPUs. */
    private static final String CPU_COUNT = "cpu_count";

    private final Database db;
    private final Ref<Host> hostRef;
    private final String qemuBinary;

    public VcpuLimits(Database db, Ref<Host> hostRef, String qemuBinary) {
        this.db = db;
        this.hostRef = hostRef;
        this.qemuBinary = qemuBinary;
    }

    public void check(DbObject<VM> vm) {
        long vcpus = vm.get(VM.VCPUs_max);
        long pcpus = hostCpus();
        Map<String, String> platform = vm.get(VM.platform);
        boolean unrestricted = platform != null && "true".equalsIgnoreCase(platform.get(UNRESTRICTED));
        if (vcpus > pcpus && !unrestricted) throw ApiError.of("HOST_NOT_ENOUGH_PCPUS", Long.toString(vcpus), Long.toString(pcpus));
        // machines take at least 255 CPUs: QEMU is asked only beyond that
        if (vcpus > 255 && vcpus > QemuMachines.maxCpus(qemuBinary, QemuCommand.MACHINE).orElse(Long.MAX_VALUE)) {
            throw ApiError.of("VM_TOO_MANY_VCPUS", vm.ref());
        }
    }

    private long hostCpus() {
        DbObject<Host> host = db.get(hostRef);
        try {
            return Long.parseLong(host.get(Host.cpu_info).getOrDefault(CPU_COUNT, ""));
        } catch (NumberFormatException | NullPointerException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
