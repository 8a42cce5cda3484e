package org.flotilla.runtime.domain;

import java.util.List;
import java.util.Map;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;

/**
 * What a running VM's QEMU tells about the guest at one moment: the CPU seconds each vCPU thread has used,
 * the memory the balloon leaves the guest, the guest's own free memory (virtio-balloon statistics; -1 until
 * the guest has reported), and the bytes each disk (by VBD userdevice) has read and written.
 */
public record GuestCounters(Ref<VM> vmRef, String uuid, List<Double> vcpuSeconds, long memoryBytes, long freeKib,
                            Map<String, DiskBytes> disks) {
    public record DiskBytes(long read, long written) {}
}
