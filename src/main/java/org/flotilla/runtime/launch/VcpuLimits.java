package org.flotilla.runtime.launch;

import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.VM;
import org.flotilla.pool.BootChecks;
import org.flotilla.qemu.QemuMachines;

/**
 * The VCPUs a VM may start with on this host. As XAPI (xapi_vm_helpers.ml, assert_enough_pcpus): no more than the
 * host has CPUs, HOST_NOT_ENOUGH_PCPUS, unless platform:vcpu-unrestricted is true; and never more than QEMU's machine
 * takes, VM_TOO_MANY_VCPUS, which is what Xen's own limit is to XAPI.
 */
public final class VcpuLimits {
    public static final String UNRESTRICTED = BootChecks.VCPU_UNRESTRICTED;

    private final Database db;
    private final Ref<Host> hostRef;
    private final String qemuBinary;

    public VcpuLimits(Database db, Ref<Host> hostRef, String qemuBinary) {
        this.db = db;
        this.hostRef = hostRef;
        this.qemuBinary = qemuBinary;
    }

    public void check(DbObject<VM> vm) {
        BootChecks.assertEnoughCpus(vm, db.require(hostRef));
        long vcpus = vm.get(VM.VCPUs_max);
        // machines take at least 255 CPUs: QEMU is asked only beyond that
        if (vcpus > 255 && vcpus > QemuMachines.maxCpus(qemuBinary, QemuCommand.MACHINE).orElse(Long.MAX_VALUE)) {
            throw ApiError.of("VM_TOO_MANY_VCPUS", vm.ref());
        }
    }
}
