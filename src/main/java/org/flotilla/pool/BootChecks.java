package org.flotilla.pool;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Host_metrics;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.PIF;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.OnCrashBehaviour;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * Whether a VM could boot on a given host now, as XAPI's assert_can_boot_here (xapi_vm_helpers.ml) decides it: the
 * VM's own settings valid, the host live and enabled, every SR of its disks plugged there, every network of its NICs
 * there, enough CPUs and free memory. The host is a parameter: any host of the pool can be asked about.
 */
public final class BootChecks {
    /** Network.other_config key by which a network without PIFs counts as present on every host (Xapi_globs). */
    static final String ASSUME_NETWORK_IS_SHARED = "assume_network_is_shared";
    /** host.cpu_info's key for the number of CPUs. */
    static final String CPU_COUNT = "cpu_count";
    /** VM.platform key by which a VM may have more vCPUs than the host has CPUs. */
    public static final String VCPU_UNRESTRICTED = "vcpu-unrestricted";

    private final Database db;
    private final FreeMemory free;

    public BootChecks(Database db, FreeMemory free) {
        this.db = db;
        this.free = free;
    }

    /** VM.assert_can_boot_here: the first reason the VM could not boot on the host, or nothing. */
    public void assertCanBootHere(Ref<VM> vm, Ref<Host> host) { assertCanBootHere(db.require(vm), host, true, Map.of()); }

    /**
     * The same for a VM whose disks of the VDIs in {@code movedTo} go to the SR each maps to (VM.migrate_send): the
     * host must reach those SRs rather than the VDIs' own.
     */
    public void assertCanBootHere(Ref<VM> vm, Ref<Host> host, Map<Ref<VDI>, Ref<SR>> movedTo) {
        assertCanBootHere(db.require(vm), host, true, movedTo);
    }

    /** The same, leaving memory out when {@code memoryCheck} is false (placement tries that when nothing fits). */
    void assertCanBootHere(DbObject<VM> vm, Ref<Host> hostRef, boolean memoryCheck) { assertCanBootHere(vm, hostRef, memoryCheck, Map.of()); }

    private void assertCanBootHere(DbObject<VM> vm, Ref<Host> hostRef, boolean memoryCheck, Map<Ref<VDI>, Ref<SR>> movedTo) {
        DbObject<Host> host = db.require(hostRef);
        validate(vm);
        assertLive(host);
        boolean controlDomain = Boolean.TRUE.equals(vm.get(VM.is_control_domain));
        if (controlDomain && !vm.get(VM.affinity).isNull() && !vm.get(VM.affinity).equals(hostRef)) {
            throw ApiError.of("OPERATION_NOT_ALLOWED", "Cannot boot a control domain on a host different from its affinity");
        }
        // a VM already running there is not arriving, and a control domain boots on its host whatever its state
        if (!controlDomain && !residentOn(vm, hostRef)) assertEnabled(host);
        assertCanSeeSrs(vm, hostRef, movedTo);
        assertCanSeeNetworks(vm, hostRef);
        if (memoryCheck && !residentOn(vm, hostRef)) assertEnoughMemory(vm, hostRef);
        assertEnoughCpus(vm, host);
    }

    /** XAPI's validate_basic_parameters: the settings no host could boot the VM with. */
    public static void validate(DbObject<VM> vm) {
        long max = vm.get(VM.VCPUs_max);
        long atStartup = vm.get(VM.VCPUs_at_startup);
        if (max < 1) throw ApiError.of("INVALID_VALUE", "VCPUs_max", Long.toString(max));
        if (atStartup < 1) throw ApiError.of("INVALID_VALUE", "VCPUs-at-startup", Long.toString(atStartup));
        if (atStartup > max) throw ApiError.of("VALUE_NOT_SUPPORTED", "VCPUs-at-startup", Long.toString(atStartup), "value greater than VCPUs-max");
        if (vm.get(VM.memory_static_max) < vm.get(VM.memory_static_min) || vm.get(VM.memory_dynamic_max) < vm.get(VM.memory_dynamic_min)) {
            throw ApiError.of("MEMORY_CONSTRAINT_VIOLATION");
        }
        if (vm.get(VM.HVM_shadow_multiplier) < 1.0) throw ApiError.of("INVALID_VALUE", "HVM_shadow_multiplier", Double.toString(vm.get(VM.HVM_shadow_multiplier)));
        if (vm.get(VM.actions_after_crash) == OnCrashBehaviour.rename_restart) {
            // the renamed, kept domain would be one that no VM record stands for
            throw ApiError.of("VALUE_NOT_SUPPORTED", VM.actions_after_crash.toString(), "rename_restart",
                    "option would leak a domain; VMs and not domains are managed by this API");
        }
    }

    /** HOST_NOT_ENOUGH_PCPUS unless the host has as many CPUs as the VM vCPUs, or platform:vcpu-unrestricted says it need not. */
    public static void assertEnoughCpus(DbObject<VM> vm, DbObject<Host> host) {
        long vcpus = vm.get(VM.VCPUs_max);
        long pcpus = cpuCount(host);
        Map<String, String> platform = vm.get(VM.platform);
        boolean unrestricted = platform != null && "true".equalsIgnoreCase(platform.get(VCPU_UNRESTRICTED));
        if (vcpus > pcpus && !unrestricted) throw ApiError.of("HOST_NOT_ENOUGH_PCPUS", Long.toString(vcpus), Long.toString(pcpus));
    }

    private static long cpuCount(DbObject<Host> host) {
        try {
            return Long.parseLong(host.get(Host.cpu_info).getOrDefault(CPU_COUNT, ""));
        } catch (NumberFormatException | NullPointerException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    boolean live(Ref<Host> hostRef) {
        DbObject<Host> host = db.get(hostRef);
        DbObject<Host_metrics> m = host == null ? null : db.get(host.get(Host.metrics));
        return m != null && Boolean.TRUE.equals(m.get(Host_metrics.live));
    }

    private void assertLive(DbObject<Host> host) {
        if (!live(host.self(Host.CLASS))) throw ApiError.of("HOST_NOT_LIVE");
    }

    static void assertEnabled(DbObject<Host> host) {
        if (!Boolean.TRUE.equals(host.get(Host.enabled))) throw ApiError.of("HOST_DISABLED", host.ref());
    }

    private static boolean residentOn(DbObject<VM> vm, Ref<Host> host) {
        return vm.get(VM.power_state) == VmPowerState.Running && vm.get(VM.resident_on).equals(host);
    }

    /**
     * VM_REQUIRES_SR for the first SR of the VM's disks (and of its suspend image) that the host has not plugged, those
     * of the VDIs in {@code movedTo} being there.
     */
    public void assertCanSeeSrs(Ref<VM> vm, Ref<Host> host, Map<Ref<VDI>, Ref<SR>> movedTo) { assertCanSeeSrs(db.require(vm), host, movedTo); }

    private void assertCanSeeSrs(DbObject<VM> vm, Ref<Host> host, Map<Ref<VDI>, Ref<SR>> movedTo) {
        var required = new LinkedHashSet<Ref<SR>>();
        for (Ref<VBD> vbd : db.related(vm.self(VM.CLASS), VM.VBDs)) {
            DbObject<VBD> b = db.get(vbd);
            if (b == null || Boolean.TRUE.equals(b.get(VBD.empty))) continue;
            srAfterMove(b.get(VBD.VDI), movedTo, required);
        }
        if (vm.get(VM.power_state) == VmPowerState.Suspended) srAfterMove(vm.get(VM.suspend_VDI), movedTo, required);
        Set<Ref<SR>> plugged = pluggedSrs(host);
        for (Ref<SR> sr : required) {
            if (!plugged.contains(sr)) throw ApiError.of("VM_REQUIRES_SR", vm.ref(), sr.value());
        }
    }

    /** Adds the SR the VDI will be on: where {@code movedTo} sends it, else its own (none for a VDI that is gone). */
    private void srAfterMove(Ref<VDI> vdi, Map<Ref<VDI>, Ref<SR>> movedTo, Set<Ref<SR>> out) {
        Ref<SR> to = movedTo.get(vdi);
        if (to != null) {
            out.add(to);
            return;
        }
        DbObject<VDI> v = vdi.isNull() ? null : db.get(vdi);
        if (v != null) out.add(v.get(VDI.SR));
    }

    Set<Ref<SR>> pluggedSrs(Ref<Host> host) {
        var out = new HashSet<Ref<SR>>();
        for (DbObject<PBD> pbd : db.referring(PBD.host, host)) {
            if (Boolean.TRUE.equals(pbd.get(PBD.currently_attached))) out.add(pbd.get(PBD.SR));
        }
        return out;
    }

    /** XAPI's assert_can_see_named_networks: VM_REQUIRES_NETWORK for a network the host lacks, then HOST_CANNOT_ATTACH_NETWORK. */
    private void assertCanSeeNetworks(DbObject<VM> vm, Ref<Host> host) {
        var required = new LinkedHashSet<Ref<Network>>();
        for (Ref<VIF> vif : db.related(vm.self(VM.CLASS), VM.VIFs)) {
            DbObject<VIF> v = db.get(vif);
            if (v != null) required.add(v.get(VIF.network));
        }
        var present = new ArrayList<Ref<Network>>();
        for (Ref<Network> net : required) {
            if (!present(net, host)) throw ApiError.of("VM_REQUIRES_NETWORK", vm.ref(), net.value());
            present.add(net);
        }
        for (Ref<Network> net : present) {
            for (DbObject<PIF> pif : localPifs(net, host)) {
                Ref<?> bond = pif.get(PIF.bond_slave_of);
                if (!bond.isNull()) throw ApiError.of("HOST_CANNOT_ATTACH_NETWORK", host.value(), net.value());
            }
        }
    }

    /**
     * A network with PIFs is on the hosts it has a PIF on; one without is on every host if it says so or is not
     * managed, else (a private network) on the host its running VMs are on, or on any host while none runs.
     */
    private boolean present(Ref<Network> netRef, Ref<Host> host) {
        DbObject<Network> net = db.get(netRef);
        if (net == null) return false;
        List<Ref<PIF>> pifs = db.related(netRef, Network.PIFs);
        if (!pifs.isEmpty()) return !localPifs(netRef, host).isEmpty();
        Map<String, String> oc = net.get(Network.other_config);
        if (oc != null && "true".equals(oc.get(ASSUME_NETWORK_IS_SHARED))) return true;
        if (!Boolean.TRUE.equals(net.get(Network.managed))) return true;
        var hosts = new HashSet<Ref<Host>>();
        for (Ref<VIF> vif : db.related(netRef, Network.VIFs)) {
            DbObject<VIF> v = db.get(vif);
            DbObject<VM> vm = v == null ? null : db.get(v.get(VIF.VM));
            if (vm != null && vm.get(VM.power_state) == VmPowerState.Running) hosts.add(vm.get(VM.resident_on));
        }
        return hosts.isEmpty() || hosts.contains(host);
    }

    private List<DbObject<PIF>> localPifs(Ref<Network> net, Ref<Host> host) {
        return db.referring(PIF.network, net).stream().filter(p -> p.get(PIF.host).equals(host)).toList();
    }

    private void assertEnoughMemory(DbObject<VM> vm, Ref<Host> host) {
        long needed = VmMemory.required(vm);
        long available = free.of(host);
        if (needed > available) throw ApiError.of("HOST_NOT_ENOUGH_FREE_MEMORY", Long.toString(needed), Long.toString(available));
    }
}
