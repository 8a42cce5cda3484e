package org.flotilla.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_cpu;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.XenApi;
import org.flotilla.model.xenapi.enums.DomainType;
import org.flotilla.model.xenapi.enums.OnCrashBehaviour;
import org.flotilla.model.xenapi.enums.OnNormalExit;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * This host's own records: the host, its metrics and CPUs, and its control-domain VM, which clients
 * expect as XAPI presents dom0. Made at first start; the facts that can change (memory, address,
 * software version) are refreshed at every start.
 */
public final class LocalHost {
    public static final String PRODUCT_VERSION = "8.3.0";
    public static final String PLATFORM_VERSION = "3.4.0";
    public static final String XAPI_VERSION = "25.0";

    private LocalHost() {}

    /** Returns the ref of this host's record, making the records it lacks. */
    public static Ref<Host> ensure(Database db, Path stateDir, HostFacts facts) {
        String uuid = hostUuid(stateDir);
        Ref<Host> hostRef = db.refByUuid(Host.CLASS, uuid).orElseGet(() -> Refs.newRef(Host.CLASS));
        DbObject<Host> existing = db.get(hostRef);
        Ref<Host_metrics> metricsRef = existing == null ? Refs.newRef(Host_metrics.CLASS) : existing.get(Host.metrics);
        Ref<VM> dom0Ref = existing == null ? Refs.newRef(VM.CLASS) : existing.get(Host.control_domain);
        db.write(tx -> {
            Rec<Host> host = existing == null ? Rec.empty(Host.CLASS) : Rec.of(Host.CLASS, existing.fields());
            if (existing == null) {
                host.set(Host.uuid, uuid)
                    .set(Host.name_label, facts.hostname())
                    .set(Host.metrics, metricsRef)
                    .set(Host.control_domain, dom0Ref)
                    .set(Host.enabled, true)
                    .set(Host.capabilities, List.of("hvm-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_32p"))
                    .set(Host.chipset_info, Map.of("iommu", "false"))
                    .set(Host.sched_policy, "credit")
                    .set(Host.supported_bootloaders, List.of("pygrub", "eliloader"))
                    .set(Host.https_only, true);
            }
            host.set(Host.hostname, facts.hostname())
                .set(Host.address, facts.address())
                .set(Host.API_version_major, XenApi.API_VERSION_MAJOR)
                .set(Host.API_version_minor, XenApi.API_VERSION_MINOR)
                .set(Host.API_version_vendor, "XenSource")
                .set(Host.software_version, softwareVersion(facts))
                .set(Host.cpu_info, facts.cpuInfo())
                .set(Host.bios_strings, facts.biosStrings())
                .set(Host.license_params, Licence.RESTRICTIONS)
                .set(Host.edition, Licence.EDITION)
                .set(Host.editions, List.of(Licence.EDITION))
                .set(Host.other_config, withStartTimes(host.get(Host.other_config), facts));
            tx.put(hostRef, host);
            tx.put(metricsRef, Rec.empty(Host_metrics.CLASS)
                    .set(Host_metrics.uuid, existing == null ? Refs.newUuid() : metricsUuid(db, metricsRef))
                    .set(Host_metrics.memory_total, facts.memoryTotal())
                    .set(Host_metrics.memory_free, facts.memoryFree())
                    .set(Host_metrics.live, true)
                    .set(Host_metrics.last_updated, Instant.now()));
            if (existing == null) {
                tx.put(dom0Ref, controlDomain(facts, hostRef));
                for (int i = 0; i < facts.cpuCount(); i++) {
                    tx.put(Refs.newRef(Host_cpu.CLASS), Rec.empty(Host_cpu.CLASS)
                            .set(Host_cpu.uuid, Refs.newUuid())
                            .set(Host_cpu.host, hostRef)
                            .set(Host_cpu.number, (long) i)
                            .set(Host_cpu.vendor, facts.cpuInfo().get("vendor"))
                            .set(Host_cpu.modelname, facts.cpuInfo().get("modelname"))
                            .set(Host_cpu.flags, facts.cpuInfo().get("flags")));
                }
            }
        });
        return hostRef;
    }

    private static String metricsUuid(Database db, Ref<Host_metrics> ref) {
        DbObject<Host_metrics> m = db.get(ref);
        return m == null ? Refs.newUuid() : m.get(Host_metrics.uuid);
    }

    /**
     * The host's other_config with when the machine booted and when this toolstack started, as XAPI rewrites them at
     * each start: seconds since the epoch as OCaml prints a float ("1765059390."). Xen Orchestra shows "started ... ago"
     * from them.
     */
    private static Map<String, String> withStartTimes(Map<String, String> otherConfig, HostFacts facts) {
        var out = new LinkedHashMap<>(otherConfig == null ? Map.<String, String>of() : otherConfig);
        out.put("boot_time", facts.bootTime() + ".");
        out.put("agent_start_time", ProcessHandle.current().info().startInstant().orElseGet(Instant::now).getEpochSecond() + ".");
        return out;
    }

    /**
     * What the host says it is. product_brand is the family of platforms Xen Orchestra knows by it: with "XCP-ng" it
     * takes its paths for a free, open platform (no licence warning; updates through the updater.py plugin) rather than
     * those for Citrix's licensed product. Which platform it is, platform_name and the version texts say: Flotilla.
     */
    private static Map<String, String> softwareVersion(HostFacts facts) {
        var v = new LinkedHashMap<String, String>();
        v.put("product_version", PRODUCT_VERSION);
        v.put("product_version_text", "Flotilla (XCP-ng " + PRODUCT_VERSION + " compatible)");
        v.put("product_version_text_short", PRODUCT_VERSION);
        v.put("platform_name", "Flotilla");
        v.put("platform_version", PLATFORM_VERSION);
        v.put("product_brand", "XCP-ng");
        v.put("build_number", "flotilla");
        v.put("hostname", facts.hostname());
        v.put("date", "2026-11-23");
        v.put("xapi", XAPI_VERSION);
        v.put("xapi_build", XAPI_VERSION + ".0");
        v.put("xen", "qemu");
        v.put("linux", System.getProperty("os.version"));
        return v;
    }

    private static Rec<VM> controlDomain(HostFacts facts, Ref<Host> hostRef) {
        long mem = Math.min(facts.memoryTotal(), 1L << 30);
        return Rec.empty(VM.CLASS)
                .set(VM.uuid, Refs.newUuid())
                .set(VM.name_label, "Control domain on host: " + facts.hostname())
                .set(VM.name_description, "The domain which manages physical devices and manages other domains")
                .set(VM.power_state, VmPowerState.Running)
                .set(VM.is_control_domain, true)
                .set(VM.resident_on, hostRef)
                .set(VM.domid, 0L)
                .set(VM.memory_static_min, mem)
                .set(VM.memory_static_max, mem)
                .set(VM.memory_dynamic_min, mem)
                .set(VM.memory_dynamic_max, mem)
                .set(VM.memory_target, mem)
                .set(VM.VCPUs_max, (long) facts.cpuCount())
                .set(VM.VCPUs_at_startup, (long) facts.cpuCount())
                .set(VM.actions_after_shutdown, OnNormalExit.destroy)
                .set(VM.actions_after_reboot, OnNormalExit.restart)
                .set(VM.actions_after_crash, OnCrashBehaviour.restart)
                .set(VM.domain_type, DomainType.pv)
                .set(VM.allowed_operations, List.of());
    }

    /** This host's identity, kept beside the database so that a restart (or a pool it joins) finds its record again. */
    public static String hostUuid(Path stateDir) {
        Path f = stateDir.resolve("host-uuid");
        try {
            if (Files.exists(f)) return Files.readString(f, StandardCharsets.US_ASCII).trim();
            String uuid = Refs.newUuid();
            Files.writeString(f, uuid + "\n", StandardCharsets.US_ASCII);
            return uuid;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
