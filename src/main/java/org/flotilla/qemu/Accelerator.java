package org.flotilla.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Picks QEMU's accelerator. KVM only when the CPU really has hardware virtualization
 * ({@code vmx} or {@code svm} in /proc/cpuinfo) and /dev/kvm can be opened read-write; never from
 * the mere presence of /dev/kvm (a paravirtual /dev/kvm without vmx/svm hangs guests). The
 * administrator overrides it with the system property {@code flotilla.accel} or the environment
 * variable {@code FLOTILLA_ACCEL} ({@code kvm} or {@code tcg}).
 */
public final class Accelerator {
    private static final Pattern HW_VIRT = Pattern.compile("^flags\\s*:.*\\b(vmx|svm)\\b", Pattern.MULTILINE);

    private Accelerator() {}

    /** {@code kvm} or {@code tcg} for this machine. */
    public static String detect() {
        String override = System.getProperty("flotilla.accel", System.getenv("FLOTILLA_ACCEL"));
        String cpuinfo;
        try {
            cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            cpuinfo = "";
        }
        Path kvm = Path.of("/dev/kvm");
        return choose(cpuinfo, Files.isReadable(kvm) && Files.isWritable(kvm), override);
    }

    /** The decision, from its inputs. */
    static String choose(String cpuinfo, boolean kvmDeviceUsable, String override) {
        if (override != null && !override.isBlank()) {
            String o = override.strip().toLowerCase(java.util.Locale.ROOT);
            if (!o.equals("kvm") && !o.equals("tcg")) {
                throw new IllegalArgumentException("accelerator override must be kvm or tcg, not '" + override + "'");
            }
            return o;
        }
        return kvmDeviceUsable && HW_VIRT.matcher(cpuinfo).find() ? "kvm" : "tcg";
    }
}
