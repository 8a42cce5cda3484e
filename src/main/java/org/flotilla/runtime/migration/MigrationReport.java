package org.flotilla.runtime.migration;

/** How a live migration went, as the source's QEMU counted it (query-migrate): milliseconds and bytes. */
public record MigrationReport(String vm, long totalMillis, long downtimeMillis, long ramBytes, long destinationDomid) {}
