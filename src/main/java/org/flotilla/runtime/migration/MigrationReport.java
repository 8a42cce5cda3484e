package org.flotilla.runtime.migration;

/**
 * How a live migration went: the phases as the source's daemon timed them (preparing the destination, the stream
 * until QEMU called it complete, the destination loading the rest and running the guest), and QEMU's own counts
 * (query-migrate's total-time, downtime and RAM bytes sent); with disks (Storage XenMotion), how long their mirrors
 * took to be ready, before the memory stream. Milliseconds and bytes.
 */
public record MigrationReport(String vm, long prepareMillis, long streamMillis, long switchoverMillis,
                              long qemuTotalMillis, long qemuDowntimeMillis, long ramBytes, long destinationDomid,
                              long disksMillis) {}
