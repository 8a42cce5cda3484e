package org.flotilla.host.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.VifBackend;
import org.flotilla.jail.Cgroups;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VM;
import org.flotilla.storage.Storage;

/**
 * Turns a VM's records (VM, VBDs, VDIs, VIFs) into the {@link QemuCommand.Spec} to launch it with, checking
 * what QEMU must not be given: unknown devices, floppies, boot files outside the allowed kernel directories.
 */
final class LaunchSpecs {
    private final Database db;
    private final Storage storage;
    private final VmRuntime.Config cfg;
    private final VifTaps taps;
    private final Vtpms vtpms;
    private final NvramFiles nvram;

    LaunchSpecs(Database db, Storage storage, VmRuntime.Config cfg, VifTaps taps, Vtpms vtpms, NvramFiles nvram) {
        this.nvram = nvram;
        this.db = db;
        this.storage = storage;
        this.cfg = cfg;
        this.taps = taps;
        this.vtpms = vtpms;
    }

    /** A VM's QEMU to start: its command's spec, and what its jail's cgroup allows. */
    record Launch(QemuCommand.Spec spec, Cgroups.Limits limits) {}

    /** The launch of the VM's QEMU; attaches its VIFs' taps on the way (incoming: a migration stream to load). */
    Launch of(DbObject<?> vm, String incoming) {
        // a resumed QEMU must have the devices the suspended one had, or it cannot load the saved state: those
        // still marked attached, since a suspend keeps the marks
        Predicate<DbObject<?>> wanted = incoming == null ? d -> true : d -> Boolean.TRUE.equals(d.get("currently_attached"));
        List<QemuCommand.Disk> disks = disks(vm.ref(), wanted);
        String kernel = blankToNull(vm.string("PV_kernel"));
        String initrd = blankToNull(vm.string("PV_ramdisk"));
        QemuCommand.Boot boot = kernel == null ? null
                : new QemuCommand.Boot(allowedBootFile(kernel), initrd == null ? null : allowedBootFile(initrd));
        Map<String, String> platform = platformAtStart(vm);
        QemuCommand.Uefi uefi = wantsUefi(vm) ? uefi(vm, Viridian.isTrue(platform.get(SECURE_BOOT_KEY))) : null;
        long memMiB = (vm.integer("memory_static_max") + HostMemory.MIB - 1) / HostMemory.MIB;
        long vcpus = Math.max(1, vm.integer("VCPUs_at_startup"));
        long vcpusMax = Math.max(vcpus, vm.integer("VCPUs_max"));
        var spec = new QemuCommand.Spec(vm.uuid(), cfg.qemuBinary(), cfg.accel(),
                Viridian.cpuProperties(platform, cfg.accel().equals("kvm")), memMiB, vcpus, vcpusMax,
                boot, boot == null ? null : vm.string("PV_args"), uefi,
                vm.<String, String>map("HVM_boot_params").get("order"), disks, nics(vm.ref(), wanted), videoMiB(vm), incoming,
                vtpms.of(VM.CLASS.ref(vm.ref())));
        return new Launch(spec, VmJails.limits(memMiB, videoMiB(vm), vcpusMax, vm.map("VCPUs_params")));
    }

    /** XCP-ng's key: true, false, or auto (Secure Boot when it can be had: here, when OVMF's secboot images are installed). */
    static final String SECURE_BOOT_KEY = "secureboot";

    /** The platform the VM starts with: secureboot=auto settled to true or false, as XAPI records it at VM.start. */
    Map<String, String> platformAtStart(DbObject<?> vm) {
        Map<String, String> platform = vm.map("platform");
        if (platform == null) return Map.of();
        if (!"auto".equalsIgnoreCase(platform.get(SECURE_BOOT_KEY))) return platform;
        var settled = new LinkedHashMap<>(platform);
        settled.put(SECURE_BOOT_KEY, Boolean.toString(wantsUefi(vm) && cfg.uefi().secureBootAvailable()));
        return Collections.unmodifiableMap(settled);
    }

    /** XAPI's default video memory when platform:videoram is absent or unreadable. */
    static final long DEFAULT_VIDEO_MIB = 4;

    /**
     * Video memory of the VGA adapter from platform:videoram (MiB). Whatever platform:vga says, the adapter is
     * the standard VGA: "cirrus" (XAPI's default) is served by it too, as Cirrus emulation has a record of
     * guest-triggered overflows.
     */
    static long videoMiB(DbObject<?> vm) {
        Map<String, String> platform = vm.map("platform");
        String v = platform == null ? null : platform.get("videoram");
        try {
            return v == null ? DEFAULT_VIDEO_MIB : Math.clamp(Long.parseLong(v.strip()), 1, 256);
        } catch (NumberFormatException e) {
            return DEFAULT_VIDEO_MIB;
        }
    }

    /** One VBD as a QEMU disk: its VDI's image as the storage attaches it, read-only for CDs and RO VBDs. */
    QemuCommand.Disk disk(DbObject<?> b) {
        boolean cd = "CD".equals(b.string("type"));
        if ("Floppy".equals(b.string("type"))) throw ApiError.of("VALUE_NOT_SUPPORTED", "type", "Floppy", "no floppy drives");
        String vdi = b.string("VDI");
        boolean empty = Boolean.TRUE.equals(b.get("empty")) || Refs.isNull(vdi);
        if (empty && !cd) throw ApiError.of("VM_REQUIRES_VDI", b.string("VM"), vdi);
        if (empty) return new QemuCommand.Disk(b.string("userdevice"), true, null, true, b.bool("bootable"));
        if (db.get("VDI", vdi) == null) throw ApiError.of("VM_REQUIRES_VDI", b.string("VM"), vdi);
        Storage.Attachment a;
        try {
            a = storage.attachment(VDI.CLASS.ref(vdi));
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot attach VDI " + vdi + ": " + e.getMessage());
        }
        boolean ro = cd || a.readOnly() || "RO".equals(b.string("mode"));
        return new QemuCommand.Disk(b.string("userdevice"), cd, image(a), ro, b.bool("bootable"));
    }

    /** The image QEMU is given for an attached VDI: the storage's chain of layers, from its records. */
    static QemuCommand.DiskImage image(Storage.Attachment a) {
        return new QemuCommand.DiskImage(a.srDir(), a.layers().stream().map(l -> new QemuCommand.Layer(l.file(), l.format())).toList());
    }

    private List<QemuCommand.Disk> disks(String vmRef, Predicate<DbObject<?>> wanted) {
        List<DbObject<?>> vbds = db.where("VBD", b -> vmRef.equals(b.get("VM")) && wanted.test(b));
        var seen = new HashSet<String>();
        for (DbObject<?> b : vbds) {
            String dev = b.string("userdevice");
            if (dev == null || !dev.matches("\\d{1,3}")) throw ApiError.of("INVALID_DEVICE", String.valueOf(dev));
            if (!seen.add(dev)) throw ApiError.of("DEVICE_ALREADY_EXISTS", dev);
        }
        var disks = new ArrayList<QemuCommand.Disk>();
        for (DbObject<?> b : vbds) disks.add(disk(b));
        return disks;
    }

    private List<QemuCommand.Nic> nics(String vmRef, Predicate<DbObject<?>> wanted) {
        var nics = new ArrayList<QemuCommand.Nic>();
        for (DbObject<?> vif : db.where("VIF", v -> vmRef.equals(v.get("VM")) && wanted.test(v))) {
            VifBackend.TapDevice tap = taps.attach(vif.ref(), vmRef);
            String mac = tap.mac() == null || tap.mac().isBlank() ? vif.string("MAC") : tap.mac();
            nics.add(new QemuCommand.Nic(vif.string("device"), tap.name(), mac));
        }
        return nics;
    }

    private static boolean wantsUefi(DbObject<?> vm) {
        Map<String, String> platform = vm.map("platform");
        return platform != null && "uefi".equalsIgnoreCase(platform.get("firmware"))
                || vm.<String, String>map("HVM_boot_params").getOrDefault("firmware", "").equalsIgnoreCase("uefi");
    }

    /**
     * OVMF for the VM, with its own variable store: VM.NVRAM's, or at first boot a copy of the store that goes
     * with the firmware (with Microsoft's keys for Secure Boot).
     */
    private QemuCommand.Uefi uefi(DbObject<?> vm, boolean secureBoot) {
        VmRuntime.UefiImages images = cfg.uefi();
        if (secureBoot && !images.secureBootAvailable()) {
            throw ApiError.internal("Secure Boot needs " + images.secureCode() + " and " + images.secureVarsTemplate() + " (package ovmf)");
        }
        Path vars = nvram.prepare(vm, secureBoot ? images.secureVarsTemplate() : images.varsTemplate());
        return new QemuCommand.Uefi(secureBoot ? images.secureCode() : images.code(), vars, secureBoot);
    }

    /**
     * A kernel or ramdisk path, if it lies (after resolving links) under an allowed directory: that directory and
     * the name beneath it, which the launcher opens without leaving the directory (so a link swapped in since
     * cannot lead it elsewhere).
     */
    private QemuCommand.BootFile allowedBootFile(String file) {
        Path real;
        try {
            real = Path.of(file).toRealPath();
        } catch (IOException | RuntimeException e) {
            throw ApiError.of("PERMISSION_DENIED", "boot file " + file + " does not exist or is not readable");
        }
        for (Path dir : cfg.kernelDirs()) {
            try {
                Path realDir = dir.toRealPath();
                if (Files.isDirectory(realDir) && real.startsWith(realDir) && !real.equals(realDir) && Files.isRegularFile(real)) {
                    return new QemuCommand.BootFile(realDir, realDir.relativize(real).toString());
                }
            } catch (IOException ignored) { }
        }
        throw ApiError.of("PERMISSION_DENIED", "boot file " + file + " is not under an allowed kernel directory " + cfg.kernelDirs());
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }
}
