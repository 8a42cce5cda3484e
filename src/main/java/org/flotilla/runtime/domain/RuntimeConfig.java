package org.flotilla.runtime.domain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How this host runs its VMs.
 *
 * @param stateDir        the daemon's state directory; run dirs under {@code run/}, kernels under {@code kernels/}
 * @param kernelDirs      where PV_kernel / PV_ramdisk may lie (real paths are checked)
 * @param accel           {@code kvm} or {@code tcg}
 * @param shutdownTimeout how long clean_shutdown waits for the guest to power off
 * @param uefi            OVMF's images
 * @param swtpm           the swtpm binary, for VMs with a VTPM
 */
public record RuntimeConfig(Path stateDir, List<Path> kernelDirs, String accel, String qemuBinary,
                            Duration shutdownTimeout, UefiImages uefi, String swtpm) {
    public static RuntimeConfig defaults(Path stateDir, List<Path> extraKernelDirs, String accel) {
        var dirs = new ArrayList<Path>();
        dirs.add(stateDir.resolve("kernels"));
        dirs.addAll(extraKernelDirs);
        return new RuntimeConfig(stateDir, dirs, accel, System.getProperty("flotilla.qemu", "qemu-system-x86_64"),
                Duration.ofSeconds(Long.getLong("flotilla.shutdown-timeout", 60)), UefiImages.debian(),
                System.getProperty("flotilla.swtpm", "swtpm"));
    }

    public RuntimeConfig withShutdownTimeout(Duration d) {
        return new RuntimeConfig(stateDir, kernelDirs, accel, qemuBinary, d, uefi, swtpm);
    }
}
