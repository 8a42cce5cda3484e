package org.flotilla.runtime.launch;

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
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.jail.Cgroups;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VbdType;
import org.flotilla.runtime.domain.HostMemory;
import org.flotilla.runtime.domain.RuntimeConfig;
import org.flotilla.runtime.domain.UefiImages;
import org.flotilla.runtime.launch.VifBackend;
import org.flotilla.runtime.launch.VifTaps;
import org.flotilla.storage.Storage;

/**
 * Turns a VM's records (VM, VBDs, VDIs, VIFs) into the {@link QemuCommand.Spec} to launch it with, checking
 * what QEMU must not be given: unknown devices, floppies, boot files outside the allowed kernel directories.
 */
public final class LaunchSpecs {
    private final Database db;
    private final Storage storage;
    private final RuntimeConfig cfg;
    private final VifTaps taps;
    private final Vtpms vtpms;
    private final NvramFiles nvram;

    public LaunchSpecs(Database db, Storage storage, RuntimeConfig cfg, VifTaps taps, Vtpms vtpms, NvramFiles nvram) {
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
    public Launch of(DbObject<VM> vm, String incoming) { return of(vm, incoming, Map.of()); }

    /**
     * The same, with the disks of the VDIs in {@code moved} opened from the VDIs they map to instead: a VM coming in
     * with its disks (Storage XenMotion) runs here on the copies made for it, which its VBDs name only once it has come.
     */
    public Launch of(DbObject<VM> vm, String incoming, Map<Ref<VDI>, Ref<VDI>> moved) {
        Ref<VM> ref = vm.self(VM.CLASS);
        // a resumed QEMU must have the devices the suspended one had, or it cannot load the saved state: those
        // still marked attached, since a suspend keeps the marks
        boolean all = incoming == null;
        List<QemuCommand.Disk> disks = disks(ref, b -> all || Boolean.TRUE.equals(b.get(VBD.currently_attached)), moved);
        String kernel = blankToNull(vm.get(VM.PV_kernel));
        String initrd = blankToNull(vm.get(VM.PV_ramdisk));
        QemuCommand.Boot boot = kernel == null ? null
                : new QemuCommand.Boot(allowedBootFile(kernel), initrd == null ? null : allowedBootFile(initrd));
        Map<String, String> platform = platformAtStart(vm);
        QemuCommand.Uefi uefi = wantsUefi(vm) ? uefi(vm, Viridian.isTrue(platform.get(SECURE_BOOT_KEY))) : null;
        long memMiB = (vm.get(VM.memory_static_max) + HostMemory.MIB - 1) / HostMemory.MIB;
        long vcpus = Math.max(1, vm.get(VM.VCPUs_at_startup));
        long vcpusMax = Math.max(vcpus, vm.get(VM.VCPUs_max));
        var spec = new QemuCommand.Spec(vm.get(VM.uuid), cfg.qemuBinary(), cfg.accel(),
                Viridian.cpuProperties(platform, cfg.accel().equals("kvm")), memMiB, vcpus, vcpusMax,
                boot, boot == null ? null : vm.get(VM.PV_args), uefi,
                vm.get(VM.HVM_boot_params).get(BOOT_ORDER), disks, nics(ref, v -> all || Boolean.TRUE.equals(v.get(VIF.currently_attached))),
                videoMiB(vm), incoming, vtpms.of(ref));
        return new Launch(spec, VmJails.limits(memMiB, videoMiB(vm), vcpusMax, vm.get(VM.VCPUs_params)));
    }

    /** XCP-ng's key: true, false, or auto (Secure Boot when it can be had: here, when OVMF's secboot images are installed). */
    static final String SECURE_BOOT_KEY = "secureboot";

    /** The platform the VM starts with: secureboot=auto settled to true or false, as XAPI records it at VM.start. */
    public Map<String, String> platformAtStart(DbObject<VM> vm) {
        Map<String, String> platform = vm.get(VM.platform);
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
    static long videoMiB(DbObject<VM> vm) {
        Map<String, String> platform = vm.get(VM.platform);
        String v = platform == null ? null : platform.get("videoram");
        try {
            return v == null ? DEFAULT_VIDEO_MIB : Math.clamp(Long.parseLong(v.strip()), 1, 256);
        } catch (NumberFormatException e) {
            return DEFAULT_VIDEO_MIB;
        }
    }

    /** One VBD as a QEMU disk: its VDI's image as the storage attaches it, read-only for CDs and RO VBDs. */
    public QemuCommand.Disk disk(DbObject<VBD> b) { return disk(b, b.get(VBD.VDI)); }

    /** The same, with the image of {@code vdi} in place of the VBD's own. */
    private QemuCommand.Disk disk(DbObject<VBD> b, Ref<VDI> vdi) {
        VbdType type = b.get(VBD.type);
        boolean cd = type == VbdType.CD;
        if (type == VbdType.Floppy) throw ApiError.of("VALUE_NOT_SUPPORTED", VBD.type.name(), VbdType.Floppy.wire(), "no floppy drives");
        String userdevice = b.get(VBD.userdevice);
        boolean empty = Boolean.TRUE.equals(b.get(VBD.empty)) || vdi.isNull();
        if (empty && !cd) throw ApiError.of("VM_REQUIRES_VDI", b.get(VBD.VM).value(), vdi.value());
        if (empty) return new QemuCommand.Disk(userdevice, true, null, true, b.get(VBD.bootable));
        if (!db.exists(vdi)) throw ApiError.of("VM_REQUIRES_VDI", b.get(VBD.VM).value(), vdi.value());
        Storage.Attachment a;
        try {
            a = storage.attachment(vdi);
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot attach VDI " + vdi + ": " + e.getMessage());
        }
        boolean ro = cd || a.readOnly() || b.get(VBD.mode) == VbdMode.RO;
        return new QemuCommand.Disk(userdevice, cd, image(a), ro, b.get(VBD.bootable));
    }

    /** The image QEMU is given for an attached VDI: the storage's chain of layers, from its records. */
    public static QemuCommand.DiskImage image(Storage.Attachment a) {
        return new QemuCommand.DiskImage(NfsAddress.numeric(a.store()), a.layers().stream().map(l -> new QemuCommand.Layer(l.file(), l.format())).toList());
    }

    private List<QemuCommand.Disk> disks(Ref<VM> vm, Predicate<DbObject<VBD>> wanted, Map<Ref<VDI>, Ref<VDI>> moved) {
        List<DbObject<VBD>> vbds = db.referring(VBD.VM, vm).stream().filter(wanted).toList();
        var seen = new HashSet<String>();
        for (DbObject<VBD> b : vbds) {
            String dev = b.get(VBD.userdevice);
            if (dev == null || !dev.matches("\\d{1,3}")) throw ApiError.of("INVALID_DEVICE", String.valueOf(dev));
            if (!seen.add(dev)) throw ApiError.of("DEVICE_ALREADY_EXISTS", dev);
        }
        var disks = new ArrayList<QemuCommand.Disk>();
        for (DbObject<VBD> b : vbds) disks.add(disk(b, moved.getOrDefault(b.get(VBD.VDI), b.get(VBD.VDI))));
        return disks;
    }

    private List<QemuCommand.Nic> nics(Ref<VM> vm, Predicate<DbObject<VIF>> wanted) {
        var nics = new ArrayList<QemuCommand.Nic>();
        for (DbObject<VIF> vif : db.referring(VIF.VM, vm)) {
            if (!wanted.test(vif)) continue;
            VifBackend.TapDevice tap = taps.attach(vif.self(VIF.CLASS), vm);
            nics.add(new QemuCommand.Nic(vif.get(VIF.device), tap.name(), mac(tap, vif)));
        }
        return nics;
    }

    /** The guest NIC's MAC: the one the network gives its tap, else the VIF's own. */
    public static String mac(VifBackend.TapDevice tap, DbObject<VIF> vif) {
        return tap.mac() == null || tap.mac().isBlank() ? vif.get(VIF.MAC) : tap.mac();
    }

    /** HVM_boot_params and platform keys this reads. */
    private static final String BOOT_ORDER = "order";
    static final String FIRMWARE = "firmware";

    static boolean wantsUefi(DbObject<VM> vm) {
        Map<String, String> platform = vm.get(VM.platform);
        return platform != null && "uefi".equalsIgnoreCase(platform.get(FIRMWARE))
                || vm.get(VM.HVM_boot_params).getOrDefault(FIRMWARE, "").equalsIgnoreCase("uefi");
    }

    /**
     * OVMF for the VM, with its own variable store: VM.NVRAM's, or at first boot a copy of the store that goes
     * with the firmware (with Microsoft's keys for Secure Boot).
     */
    private QemuCommand.Uefi uefi(DbObject<VM> vm, boolean secureBoot) {
        UefiImages images = cfg.uefi();
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
