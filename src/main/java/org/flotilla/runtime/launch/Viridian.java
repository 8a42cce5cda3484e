package org.flotilla.runtime.launch;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The Hyper-V enlightenments ("viridian") a VM's platform keys ask for, as QEMU {@code -cpu} properties.
 * The keys and their reading follow XenServer's domain builder: nothing unless {@code viridian} is true;
 * then the base set (Xen's base + freq groups), and one group per {@code viridian_*} key that is true.
 * A key counts as true when it says "true" (any case) or a non-zero number; a missing key is false.
 * {@code viridian_apic_assist} has no property of its own: QEMU's hv-vapic, in the base set, is both the
 * APIC MSRs and the assist page.
 *
 * <p>QEMU 7.2 builds the Hyper-V CPUID leaves only when KVM runs the guest: under TCG the properties are
 * accepted and the guest sees none of them, and hv-vpindex is refused outright ("kernel doesn't allow
 * setting HyperV VP_INDEX"), so it is left out there.
 */
final class Viridian {
    private Viridian() {}

    static final String BASE_KEY = "viridian";

    /** What each key turns on, in the order they go on the command line. */
    private static final Map<String, List<String>> GROUPS = groups();

    /** Only KVM has these. */
    private static final List<String> KVM_ONLY = List.of("hv-vpindex");

    private static Map<String, List<String>> groups() {
        var g = new LinkedHashMap<String, List<String>>();
        g.put(BASE_KEY, List.of("hv-relaxed", "hv-vapic", "hv-spinlocks=0x1fff", "hv-vpindex", "hv-runtime", "hv-frequencies",
                "hv-reset"));
        g.put("viridian_time_ref_count", List.of("hv-time"));
        g.put("viridian_reference_tsc", List.of("hv-time"));
        g.put("viridian_crash_ctl", List.of("hv-crash"));
        // QEMU's synthetic timers need the SynIC and the reference time source
        g.put("viridian_stimer", List.of("hv-time", "hv-synic", "hv-stimer"));
        g.put("viridian_hcall_remote_tlb_flush", List.of("hv-tlbflush"));
        g.put("viridian_hcall_ipi", List.of("hv-ipi"));
        return g;
    }

    /** The properties for {@code -cpu}, e.g. {@code hv-relaxed=on}; empty when viridian is off. */
    static List<String> cpuProperties(Map<String, String> platform, boolean kvm) {
        if (platform == null || !isTrue(platform.get(BASE_KEY))) return List.of();
        var props = new LinkedHashSet<String>();
        GROUPS.forEach((key, group) -> {
            if (isTrue(platform.get(key))) props.addAll(group);
        });
        if (!kvm) props.removeAll(KVM_ONLY);
        return props.stream().map(p -> p.contains("=") ? p : p + "=on").toList();
    }

    static boolean isTrue(String v) {
        if (v == null) return false;
        String s = v.strip();
        if (s.equalsIgnoreCase("true")) return true;
        try {
            return Long.decode(s) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
