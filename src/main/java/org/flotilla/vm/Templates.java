package org.flotilla.vm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.Field;
import org.flotilla.model.Rec;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VM_metrics;
import org.flotilla.model.xenapi.enums.DomainType;
import org.flotilla.model.xenapi.enums.OnCrashBehaviour;
import org.flotilla.model.xenapi.enums.OnNormalExit;
import org.flotilla.model.xenapi.enums.VdiType;

/**
 * The built-in templates, made at every start where missing (by uuid or name): XenServer's and XCP-ng's
 * guest-templates-json for the guests listed, rendered as their blank_template.py renders them (memory
 * static_min = min, the rest twice that; platform defaults nx/acpi/apic/pae/hpet; recommendations XML;
 * other_config:disks), and a small template for Flotilla's own test guest when it has been built.
 */
public final class Templates {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    public static final String TEST_GUEST_NAME = "Flotilla test guest";

    private static final String LINUX_DESCRIPTION = "To use this template from the CLI, install your VM using vm-install, then set "
            + "other-config-install-repository to the path to your network repository, e.g. http://<server>/<path> or nfs:server:/<path>";

    private final Database db;

    public Templates(Database db) { this.db = db; }

    /** One template: what its JSON says, after derived_from is applied. */
    record Spec(String uuid, String referenceLabel, String name, String description, long minMemory, Map<String, String> platform,
                Map<String, String> bootParams, long vcpus, Map<String, String> otherConfig, String recommendations,
                List<TemplateDisks.DiskSpec> disks, boolean vendorDevice, String generationId) {}

    private static Map<String, String> ordered(String... kv) {
        var m = new LinkedHashMap<String, String>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) m.remove(kv[i]);
            else m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        var m = new LinkedHashMap<>(base);
        m.putAll(ordered(kv));
        for (int i = 0; i < kv.length; i += 2) if (kv[i + 1] == null) m.remove(kv[i]);
        return Collections.unmodifiableMap(m);
    }

    /** blank_template.Platform defaults. */
    private static final Map<String, String> PLATFORM_DEFAULTS = ordered("nx", "true", "acpi", "1", "apic", "true", "pae", "true",
            "hpet", "true", "secureboot", "true");

    /** base-hvmlinux.json (BIOS) and base-linux-uefi.json. */
    private static final Map<String, String> LINUX_BIOS = with(PLATFORM_DEFAULTS, "vga", "std", "videoram", "8", "viridian", "false",
            "device_id", "0001", "device-model", "qemu-upstream-compat", "secureboot", "false");
    private static final Map<String, String> LINUX_UEFI = with(LINUX_BIOS, "device-model", null, "secureboot", "auto");

    /** base-windows.json + base-windows-uefi.json. */
    private static final Map<String, String> WINDOWS_UEFI = with(PLATFORM_DEFAULTS, "cores-per-socket", "2", "device_id", "0002",
            "viridian", "true", "viridian_time_ref_count", "true", "viridian_reference_tsc", "true", "viridian_apic_assist", "true",
            "viridian_crash_ctl", "true", "viridian_stimer", "true", "secureboot", "auto", "vga", "std", "videoram", "8");

    private static final Map<String, String> LINUX_OTHER = ordered("linux_template", "true", "install-methods", "cdrom,nfs,http,ftp");

    /** blank_template.Recommendations.toxml: restrictions in its field order, then the two properties. */
    static String recommendations(String maxMemory, String vcpusMin, String vcpusMax, boolean vendorDevice, Boolean gpu,
                                  Boolean sriov, String bios, String uefi, String secureBoot, String vbds, String vifs) {
        var sb = new StringBuilder("<restrictions>");
        if (maxMemory != null) sb.append("<restriction field=\"memory-static-max\" max=\"").append(maxMemory).append("\"/>");
        if (vcpusMin != null) sb.append("<restriction field=\"vcpus-min\" min=\"").append(vcpusMin).append("\"/>");
        if (vcpusMax != null) sb.append("<restriction field=\"vcpus-max\" max=\"").append(vcpusMax).append("\"/>");
        sb.append("<restriction field=\"has-vendor-device\" value=\"").append(vendorDevice).append("\"/>");
        if (gpu != null) {
            sb.append("<restriction field=\"allow-gpu-passthrough\" value=\"").append(gpu ? 1 : 0).append("\"/>");
            sb.append("<restriction field=\"allow-vgpu\" value=\"").append(gpu ? 1 : 0).append("\"/>");
        }
        if (sriov != null) sb.append("<restriction field=\"allow-network-sriov\" value=\"").append(sriov ? 1 : 0).append("\"/>");
        if (bios != null) sb.append("<restriction field=\"supports-bios\" value=\"").append(bios).append("\"/>");
        if (uefi != null) sb.append("<restriction field=\"supports-uefi\" value=\"").append(uefi).append("\"/>");
        if (secureBoot != null) sb.append("<restriction field=\"supports-secure-boot\" value=\"").append(secureBoot).append("\"/>");
        sb.append("<restriction property=\"number-of-vbds\" max=\"").append(vbds).append("\"/>");
        sb.append("<restriction property=\"number-of-vifs\" max=\"").append(vifs).append("\"/>");
        return sb.append("</restrictions>").toString();
    }

    private static List<TemplateDisks.DiskSpec> disk(long size, boolean bootable) {
        return List.of(new TemplateDisks.DiskSpec("0", size, "", bootable, VdiType.system));
    }

    private static Spec linux(String uuid, String label, String name, long min, long disk, boolean uefi) {
        String rec = recommendations(Long.toString(1536 * GIB), null, "64", false, true, true, "yes", uefi ? "yes" : "no",
                uefi ? "yes" : "no", "255", "7");
        return new Spec(uuid, label, name, LINUX_DESCRIPTION, min, uefi ? LINUX_UEFI : LINUX_BIOS,
                ordered("firmware", uefi ? "uefi" : "bios", "order", "cdn"), 1, LINUX_OTHER, rec, disk(disk, true), false, "");
    }

    private static Spec windows(String uuid, String label, String name, long min, long disk, boolean sriov, Map<String, String> platform) {
        String rec = recommendations(Long.toString(1536 * GIB), "2", "64", true, null, sriov ? Boolean.TRUE : null, "no", "yes", "yes",
                "255", "7");
        String description = "Clones of this template will automatically provision their storage when first booted and then reconfigure "
                + "themselves with the optimal settings for " + name + ".";
        return new Spec(uuid, label, name, description, min, platform, ordered("firmware", "uefi", "order", "cd"), 2,
                ordered("install-methods", "cdrom"), rec, disk(disk, false), true, "0:0");
    }

    /** The templates of guest-templates-json (uuids, names and settings as published there). */
    static List<Spec> builtIn() {
        var out = new ArrayList<Spec>();
        out.add(linux("07d91aaa-43f7-430a-bf84-0edb6714df0f", "debian-12", "Debian Bookworm 12", GIB, 10 * GIB, true));
        out.add(linux("df1a0e64-3799-482b-aa9f-1ed713c7dac5", "ubuntu-22.04", "Ubuntu Jammy Jellyfish 22.04", GIB, 10 * GIB, true));
        out.add(linux("ff1f3e17-84d9-4d72-962d-571c4ceb527b", "ubuntu-24.04", "Ubuntu Noble Numbat 24.04", GIB, 10 * GIB, true));
        out.add(linux("a3d70e4d-c5ac-4dfb-999b-30a0a7efe546", "centos-9", "CentOS Stream 9", 2 * GIB, 10 * GIB, false));
        out.add(linux("1a647cf9-99c1-4e9c-b3b4-6b9989c530be", "rocky-9", "Rocky Linux 9", 2 * GIB, 15 * GIB, true));
        out.add(linux("6c91b878-5095-421e-a914-224b3bb1088c", "rhel-9", "Red Hat Enterprise Linux 9", 2 * GIB, 10 * GIB, true));
        out.add(linux("b73b736f-8dee-4bbe-9380-30d1e1854958", "generic-linux-uefi", "Generic Linux UEFI", GIB, 10 * GIB, true));
        out.add(windows("7774689b-4ca1-4dea-8545-dddd6b64c17f", "windows-10-64bit", "Windows 10 (64-bit)", 2 * GIB, 32 * GIB, false,
                with(WINDOWS_UEFI, "acpi_laptop_slate", "1")));
        out.add(windows("1f8728f9-6354-4a68-adc3-222c34f2bb94", "windows-11", "Windows 11", 4 * GIB, 64 * GIB, false,
                with(WINDOWS_UEFI, "acpi_laptop_slate", "1", "vtpm", "true")));
        out.add(windows("d986ea98-09fa-4e9a-9ee6-e6c78119496f", "windows-server-2019-64bit", "Windows Server 2019 (64-bit)", GIB, 32 * GIB,
                true, WINDOWS_UEFI));
        out.add(windows("1c33af1c-e919-418c-ad45-85d7d6fb604a", "windows-server-2022-64bit", "Windows Server 2022 (64-bit)", GIB, 32 * GIB,
                true, WINDOWS_UEFI));
        out.add(new Spec("552bce37-51b2-445d-84f2-5f33fa112d7e", "other-install-media", "Other install media",
                "Template which allows VM installation from install media", 128 * MIB,
                with(PLATFORM_DEFAULTS, "viridian", "true", "secureboot", "false"), ordered("firmware", "bios", "order", "cd"), 1,
                ordered("install-methods", "cdrom"),
                recommendations(Long.toString(128 * GIB), null, "64", false, null, null, "yes", "yes", "yes", "255", "7"),
                List.of(), false, ""));
        return out;
    }

    private static Rec<VM> record(Spec s) {
        long memory = 2 * s.minMemory();
        var oc = new LinkedHashMap<String, String>();
        oc.put(VmRecords.MAC_SEED, Refs.newUuid());
        if (!s.disks().isEmpty()) oc.put(TemplateDisks.KEY, TemplateDisks.xml(s.disks()));
        oc.putAll(s.otherConfig());
        oc.put(VmLifecycle.DEFAULT_TEMPLATE_KEY, "true");
        return Rec.empty(VM.CLASS)
                .set(VM.uuid, s.uuid())
                .set(VM.name_label, s.name())
                .set(VM.name_description, s.description())
                .set(VM.user_version, 1L)
                .set(VM.is_a_template, true)
                .set(VM.is_default_template, true)
                .set(VM.memory_static_min, s.minMemory())
                .set(VM.memory_dynamic_min, memory)
                .set(VM.memory_dynamic_max, memory)
                .set(VM.memory_static_max, memory)
                .set(VM.memory_target, memory)
                .set(VM.VCPUs_max, s.vcpus())
                .set(VM.VCPUs_at_startup, s.vcpus())
                .set(VM.actions_after_shutdown, OnNormalExit.destroy)
                .set(VM.actions_after_reboot, OnNormalExit.restart)
                .set(VM.actions_after_crash, OnCrashBehaviour.restart)
                .set(VM.HVM_boot_policy, "BIOS order")
                .set(VM.HVM_boot_params, Collections.unmodifiableMap(s.bootParams()))
                .set(VM.platform, Collections.unmodifiableMap(s.platform()))
                .set(VM.recommendations, s.recommendations())
                .set(VM.reference_label, s.referenceLabel())
                .set(VM.has_vendor_device, s.vendorDevice())
                .set(VM.generation_id, s.generationId())
                .set(VM.domain_type, DomainType.hvm)
                .set(VM.domid, -1L)
                .set(VM.other_config, Collections.unmodifiableMap(oc));
    }

    /**
     * Flotilla's test guest (scripts/build-guest.sh) booted straight from its kernel: 128 MiB, one
     * 64 MiB disk, the guest idling on the serial console. Present only when {@code guestDir} holds it.
     */
    static Rec<VM> testGuest(Path guestDir) {
        Path kernel = guestDir.resolve("vmlinux").toAbsolutePath().normalize();
        Path initrd = guestDir.resolve("initramfs.gz").toAbsolutePath().normalize();
        var s = new Spec(UUID.nameUUIDFromBytes(TEST_GUEST_NAME.getBytes(StandardCharsets.UTF_8)).toString(), "flotilla-test-guest",
                TEST_GUEST_NAME, "Flotilla's own test guest (scripts/build-guest.sh): a Debian kernel and a busybox initramfs, booted directly.",
                128 * MIB, ordered("acpi", "1", "apic", "true", "nx", "true", "pae", "true", "hpet", "true"), Map.of(), 1,
                ordered("install-methods", ""),
                recommendations(Long.toString(GIB), null, "4", false, null, null, "yes", "no", "no", "255", "7"),
                disk(64 * MIB, true), false, "");
        return record(s)
                .set(VM.memory_dynamic_min, 128 * MIB)
                .set(VM.memory_dynamic_max, 128 * MIB)
                .set(VM.memory_static_max, 128 * MIB)
                .set(VM.memory_target, 128 * MIB)
                .set(VM.HVM_boot_policy, "")
                .set(VM.HVM_boot_params, Map.of())
                .set(VM.domain_type, DomainType.pvh)
                .set(VM.PV_kernel, kernel.toString())
                .set(VM.PV_ramdisk, Files.isRegularFile(initrd) ? initrd.toString() : "")
                .set(VM.PV_args, "console=ttyS0 quiet panic=-1 flotilla.mode=idle");
    }

    /** Makes every built-in template not yet present (by uuid, or by name among default templates). Returns how many it made. */
    public int ensureDefaults(Path guestDir, VmAllowedOperations ops) {
        var wanted = new ArrayList<Rec<VM>>();
        for (Spec s : builtIn()) wanted.add(record(s));
        if (guestDir != null && Files.isRegularFile(guestDir.resolve("vmlinux"))) wanted.add(testGuest(guestDir));
        return db.writeReturning(tx -> {
            int made = 0;
            for (Rec<VM> f : wanted) {
                String name = f.get(VM.name_label);
                var existing = db.refByUuid(VM.CLASS, f.get(VM.uuid));
                boolean present = existing.isPresent()
                        || !db.where(VM.CLASS, v -> name.equals(v.get(VM.name_label)) && VmLifecycle.isDefaultTemplate(v)).isEmpty();
                if (present) {
                    existing.ifPresent(ref -> followBootFiles(tx, ref, db.get(ref), f));
                    continue;
                }
                Ref<VM> ref = Refs.newRef(VM.CLASS);
                Ref<VM_metrics> metrics = Refs.newRef(VM_metrics.CLASS);
                Rec<VM> full = Records.over(db.newRecord(VM.CLASS), f).set(VM.metrics, metrics);
                full.set(VM.memory_overhead, VmRecords.overhead(full));
                full.set(VM.allowed_operations, ops.allowed(Records.unsaved(ref, full)));
                tx.put(metrics, VmRecords.newMetrics(false));
                tx.put(ref, full);
                made++;
            }
            return made;
        });
    }

    /** A template that boots files of this host (the test guest's) points where they are now: the checkout may have moved. */
    private static void followBootFiles(Database.Tx tx, Ref<VM> ref, DbObject<VM> template, Rec<VM> wanted) {
        for (Field<VM, String> f : List.of(VM.PV_kernel, VM.PV_ramdisk)) {
            String now = wanted.get(f);
            if (now != null && !now.equals(template.get(f))) tx.set(ref, f, now);
        }
    }

    /** Where the test guest is: -Dflotilla.guest or $FLOTILLA_GUEST_DIR, else build/guest under the working directory. */
    public static Path locateTestGuest() {
        String p = System.getProperty("flotilla.guest");
        if (p == null || p.isEmpty()) p = System.getenv("FLOTILLA_GUEST_DIR");
        return (p == null || p.isEmpty() ? Path.of("build", "guest") : Path.of(p)).toAbsolutePath().normalize();
    }
}
