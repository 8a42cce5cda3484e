package org.flotilla.network;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.flotilla.api.Call;
import org.flotilla.api.Handlers;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.ClassDef;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.vm.VifLifecycle;

/**
 * This host's networking behind the XenAPI (XAPI's xapi_network.ml, xapi_vif.ml, xapi_pif.ml and the
 * bridge half of networkd): network, VIF and PIF records, and what they stand for on this host —
 * a Linux bridge per network ({@code network.bridge}) and a tap device per attached VIF, named
 * {@code vif<domid>.<device>} as XAPI names its backends, enslaved to the network's bridge.
 *
 * <p>The VM runtime calls {@link #attach} before it opens the tap for QEMU ({@code -netdev tap,fd=N}) and
 * {@link #detach} once QEMU has gone.
 *
 * <p>The host's own interfaces are only recorded (PIF.scan): a real NIC is never enslaved, addressed or
 * brought up or down here. Bridging a NIC into a network is an explicit administrator's action that
 * does not exist yet.
 */
public final class Networking {
    /** The VIF's runtime_properties key naming its tap device while attached. */
    public static final String TAP_KEY = "tap";
    /** XAPI's other_config key marking the host internal management network (Xapi_globs). */
    public static final String INTERNAL_MANAGEMENT_KEY = "is_host_internal_management_network";
    public static final String INTERNAL_MANAGEMENT_BRIDGE = "xenapi";
    static final String MAC_SEED_KEY = "mac_seed";
    /** Prefixes that a bridge named by a client may not take (XAPI's bridge_blacklist). */
    private static final List<String> RESERVED_BRIDGE_PREFIXES = List.of("xen", "xapi", "vif", "tap", "eth");
    private static final System.Logger LOG = System.getLogger(Networking.class.getName());

    private final Database db;
    private final String hostRef;
    private final HostLinks links;
    private final ReentrantLock lock = new ReentrantLock();
    /** Tap numbers handed to VMs that have no domid (domid -1 or 0): VM ref → number. */
    private final Map<String, Integer> pseudoDomids = new HashMap<>();

    public Networking(Database db, String hostRef, HostLinks links) {
        this.db = db;
        this.hostRef = hostRef;
        this.links = links;
    }

    /** A VIF's tap device on this host and the MAC the guest's NIC must use. */
    public record TapDevice(String name, String mac) {}

    public HostLinks links() { return links; }

    // ---- registration -----------------------------------------------------------------------------

    public void register(Handlers h) {
        h.on("network", "create", c -> createNetwork(c.map("args"), false))
         .on("network", "destroy", c -> { destroyNetwork(c.ref("self")); return null; })
         .on("network", "attach", c -> { requireThisHost(c.ref("host")); attachNetwork(c.ref("network")); return null; })
         .on("network", "attach_for_vm", c -> { requireThisHost(c.ref("host")); attachForVm(c.ref("vm")); return null; })
         .on("network", "detach_for_vm", c -> { requireThisHost(c.ref("host")); detachForVm(c.ref("vm")); return null; })
         .on("network", "set_default_locking_mode", this::setDefaultLockingMode)
         .on("network", "add_purpose", c -> { addPurpose(c.ref("self"), c.string("value")); return null; })
         .on("network", "remove_purpose", c -> { removePurpose(c.ref("self"), c.string("value")); return null; })
         .on("VIF", "create", c -> createVif(c.map("args")))
         .on("VIF", "destroy", c -> { destroyVif(c.ref("self")); return null; })
         .on("PIF", "scan", c -> { requireThisHost(c.ref("host")); scan(); return null; });
    }

    private void requireThisHost(String host) {
        // No pool forwarding yet: every host but this one is out of reach.
        if (!hostRef.equals(host)) throw ApiError.of("CANNOT_CONTACT_HOST", host);
    }

    // ---- networks ---------------------------------------------------------------------------------

    /**
     * network.create as XAPI's: an empty bridge name gets the first free {@code xapi<N>}; a name given by
     * a client must fit Linux (≤ 15 characters), not take a prefix the toolstack uses itself, and be
     * unused (BRIDGE_NAME_EXISTS). MTU ≤ 0 means 1500. {@code trusted} skips the prefix rule for the
     * toolstack's own networks.
     */
    String createNetwork(Map<String, Object> given, boolean trusted) {
        lock.lock();
        try {
            return db.writeReturning(tx -> {
                Set<String> bridges = new HashSet<>();
                for (DbObject<?> n : db.all("network")) bridges.add(n.string("bridge"));
                String bridge = (String) given.getOrDefault("bridge", "");
                if (bridge.isEmpty()) {
                    bridge = chooseBridgeName(bridges);
                } else {
                    if (!HostLinks.validName(bridge)
                            || (!trusted && RESERVED_BRIDGE_PREFIXES.stream().anyMatch(bridge::startsWith))) {
                        throw ApiError.of("INVALID_VALUE", "bridge", bridge);
                    }
                    if (bridges.contains(bridge)) throw ApiError.of("BRIDGE_NAME_EXISTS", bridge);
                }
                long mtu = given.get("MTU") instanceof Long m && m > 0 ? m : 1500L;
                var def = db.model().classDef("network");
                var fields = new LinkedHashMap<String, Object>();
                given.forEach((k, v) -> { if (def.field(k).qualifier().inConstructor()) fields.put(k, v); });
                fields.put("uuid", Refs.newUuid());
                fields.put("bridge", bridge);
                fields.put("MTU", mtu);
                String ref = Refs.newRef();
                tx.put("network", ref, fields);
                return ref;
            });
        } finally {
            lock.unlock();
        }
    }

    private String chooseBridgeName(Set<String> taken) {
        for (int n = 0; ; n++) {
            String name = "xapi" + n;
            if (!taken.contains(name) && !links.exists(name)) return name;
        }
    }

    void destroyNetwork(String ref) {
        lock.lock();
        try {
            DbObject<?> net = db.require("network", ref);
            List<String> vifs = db.related("network", "VIFs", ref);
            List<String> attached = vifs.stream().filter(v -> {
                DbObject<?> vif = db.get("VIF", v);
                return vif != null && vif.bool("currently_attached");
            }).toList();
            if (!attached.isEmpty()) throw ApiError.of("NETWORK_CONTAINS_VIF", attached.toArray(String[]::new));
            List<String> pifs = db.related("network", "PIFs", ref);
            if (!pifs.isEmpty()) throw ApiError.of("NETWORK_CONTAINS_PIF", pifs.toArray(String[]::new));
            if ("true".equalsIgnoreCase(net.<String, String>map("other_config").get(INTERNAL_MANAGEMENT_KEY))) {
                throw ApiError.of("CANNOT_DESTROY_SYSTEM_NETWORK", ref);
            }
            // As XAPI: the network's (unattached) VIFs go with it.
            db.write(tx -> {
                for (String v : vifs) deleteVifRecord(tx, v);
                tx.delete("network", ref);
            });
            removeBridgeIfUnused(net);
        } finally {
            lock.unlock();
        }
    }

    /** Makes the network's bridge exist and be up on this host (network.attach). */
    public void attachNetwork(String networkRef) {
        lock.lock();
        try {
            ensureBridge(db.require("network", networkRef));
        } finally {
            lock.unlock();
        }
    }

    private void ensureBridge(DbObject<?> net) {
        String bridge = net.string("bridge");
        if (!net.bool("managed")) {
            if (!links.exists(bridge)) throw ApiError.of("BRIDGE_NOT_AVAILABLE", bridge);
            return;
        }
        links.ensureBridge(bridge, net.integer("MTU"));
    }

    /**
     * Removes a bridge this host made for a managed network once nothing is enslaved to it and no PIF
     * carries the network (XAPI's deregister_vif does the same for internal networks).
     */
    private void removeBridgeIfUnused(DbObject<?> net) {
        String bridge = net.string("bridge");
        if (!net.bool("managed") || !links.exists(bridge) || !links.isBridge(bridge)) return;
        if (db.get("network", net.ref()) != null && !db.related("network", "PIFs", net.ref()).isEmpty()) return;
        if (!links.ports(bridge).isEmpty()) return;
        try {
            links.delete(bridge);
        } catch (ApiError e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove bridge " + bridge + ": " + e.getMessage());
        }
    }

    private void attachForVm(String vmRef) {
        lock.lock();
        try {
            for (String v : db.related("VM", "VIFs", vmRef)) {
                DbObject<?> vif = db.get("VIF", v);
                if (vif != null) ensureBridge(db.require("network", vif.string("network")));
            }
        } finally {
            lock.unlock();
        }
    }

    private void detachForVm(String vmRef) {
        for (String v : db.related("VM", "VIFs", vmRef)) detach(v);
    }

    private Object setDefaultLockingMode(Call c) {
        String net = c.ref("network");
        db.write(tx -> {
            db.require("network", net);
            for (String v : db.related("network", "VIFs", net)) {
                DbObject<?> vif = db.get("VIF", v);
                if (vif != null && vif.bool("currently_attached") && "network_default".equals(vif.string("locking_mode"))) {
                    throw ApiError.of("VIF_IN_USE", net, v);
                }
            }
            tx.set("network", net, "default_locking_mode", c.string("value"));
        });
        return null;
    }

    private void addPurpose(String ref, String purpose) {
        db.write(tx -> {
            DbObject<?> net = db.require("network", ref);
            if (!net.bool("managed")) throw ApiError.of("NETWORK_UNMANAGED", ref);
            List<String> current = net.set("purpose");
            if (current.contains(purpose)) return;
            String conflicting = purpose.equals("nbd") ? "insecure_nbd" : "nbd";
            for (DbObject<?> other : db.all("network")) {
                if (other.<String>set("purpose").contains(conflicting)) {
                    throw ApiError.of("NETWORK_INCOMPATIBLE_PURPOSES", purpose, conflicting);
                }
            }
            var next = new ArrayList<>(current);
            next.add(purpose);
            tx.set("network", ref, "purpose", List.copyOf(next));
        });
    }

    private void removePurpose(String ref, String purpose) {
        db.write(tx -> {
            DbObject<?> net = db.require("network", ref);
            List<String> current = net.set("purpose");
            if (current.contains(purpose)) {
                tx.set("network", ref, "purpose", current.stream().filter(p -> !p.equals(purpose)).toList());
            }
        });
    }

    // ---- VIFs -------------------------------------------------------------------------------------

    /**
     * VIF.create as XAPI's: the device an unsigned decimal free on the VM; {@code MAC = ""} generated
     * (from the VM's other_config:mac_seed as XAPI does, else at random; always unicast and locally
     * administered), any other MAC checked; MTU from the network unless given; currently_attached only
     * kept for a suspended VM; a VIF_metrics record made with it.
     */
    String createVif(Map<String, Object> given) {
        String vmRef = (String) given.getOrDefault("VM", ClassDef.NULL_REF);
        String netRef = (String) given.getOrDefault("network", ClassDef.NULL_REF);
        String device = (String) given.getOrDefault("device", "");
        String mac = (String) given.getOrDefault("MAC", "");
        return db.writeReturning(tx -> {
            DbObject<?> vm = db.require("VM", vmRef);
            DbObject<?> net = db.require("network", netRef);
            if (!device.matches("[0-9]{1,6}")) throw ApiError.of("INVALID_DEVICE", device);
            int dev = Integer.parseInt(device);
            boolean autogenerated = false;
            String theMac = mac;
            if (theMac.isEmpty()) {
                String seed = vm.<String, String>map("other_config").get(MAC_SEED_KEY);
                theMac = seed != null ? Macs.fromSeed(seed, dev) : Macs.random();
                autogenerated = true;
            }
            if (!Macs.valid(theMac)) throw ApiError.of("MAC_INVALID", theMac);
            for (String other : db.related("VM", "VIFs", vmRef)) {
                DbObject<?> o = db.get("VIF", other);
                if (o != null && o.string("device").matches("[0-9]+") && Integer.parseInt(o.string("device")) == dev) {
                    throw ApiError.of("DEVICE_ALREADY_EXISTS", device);
                }
            }
            var def = db.model().classDef("VIF");
            var fields = new LinkedHashMap<String, Object>();
            given.forEach((k, v) -> { if (def.field(k).qualifier().inConstructor()) fields.put(k, v); });
            String metrics = Refs.newRef();
            tx.put("VIF_metrics", metrics, Map.of("uuid", Refs.newUuid(), "last_updated", Instant.EPOCH, "other_config", Map.of()));
            fields.put("uuid", Refs.newUuid());
            fields.put("MAC", theMac);
            fields.put("MAC_autogenerated", autogenerated);
            fields.put("MTU", given.get("MTU") instanceof Long m && m > 0 ? m : net.integer("MTU"));
            fields.put("currently_attached", "Suspended".equals(vm.string("power_state")) && Boolean.TRUE.equals(given.get("currently_attached")));
            fields.put("metrics", metrics);
            String ref = Refs.newRef();
            fields.put("allowed_operations", VIF.allowed_operations.encode(
                    VifLifecycle.allowedOperations(db.require(VM.CLASS.ref(vmRef)), new DbObject<>("VIF", ref, fields, 0, 0))));
            tx.put("VIF", ref, fields);
            return ref;
        });
    }

    void destroyVif(String ref) {
        lock.lock();
        try {
            DbObject<?> vif = db.require("VIF", ref);
            DbObject<?> vm = db.get("VM", vif.string("VM"));
            if (vif.bool("currently_attached") && vm != null && isRunning(vm)) {
                throw ApiError.of("OPERATION_NOT_ALLOWED", "VIF currently attached to a running VM");
            }
            String tap = vif.<String, String>map("runtime_properties").get(TAP_KEY);
            if (tap != null) links.delete(tap);
            db.write(tx -> deleteVifRecord(tx, ref));
            DbObject<?> net = db.get("network", vif.string("network"));
            if (net != null && tap != null) removeBridgeIfUnused(net);
        } finally {
            lock.unlock();
        }
    }

    private void deleteVifRecord(Database.Tx tx, String vifRef) {
        DbObject<?> vif = db.get("VIF", vifRef);
        if (vif == null) return;
        if (db.get("VIF_metrics", vif.string("metrics")) != null) tx.delete("VIF_metrics", vif.string("metrics"));
        tx.delete("VIF", vifRef);
    }

    private static boolean isRunning(DbObject<?> vm) {
        String s = vm.string("power_state");
        return "Running".equals(s) || "Paused".equals(s);
    }

    // ---- the VM runtime's contract ----------------------------------------------------------------

    /**
     * Makes the VIF's network bridge exist on this host and a tap device {@code vif<domid>.<device>} on
     * it (root's: the daemon opens it and hands QEMU the descriptor), and marks the VIF currently_attached. The domid is the
     * VM record's; a VM without one (-1 or 0) gets a number unique on this host for as long as this
     * daemon runs. Idempotent: attaching an attached VIF again returns the same tap.
     */
    public TapDevice attach(String vifRef, String vmRef) {
        lock.lock();
        try {
            DbObject<?> vif = db.require("VIF", vifRef);
            if (!vmRef.equals(vif.string("VM"))) throw ApiError.internal("VIF " + vifRef + " does not belong to VM " + vmRef);
            DbObject<?> vm = db.require("VM", vmRef);
            DbObject<?> net = db.require("network", vif.string("network"));
            String tap = tapName(vm, vif.string("device"));
            String old = vif.<String, String>map("runtime_properties").get(TAP_KEY);
            if (old != null && !old.equals(tap)) links.delete(old);
            ensureBridge(net);
            links.ensureTap(tap, net.string("bridge"), vif.integer("MTU") > 0 ? vif.integer("MTU") : net.integer("MTU"));
            if (!vif.bool("currently_attached") || !tap.equals(old)) {
                var props = new LinkedHashMap<String, String>(vif.map("runtime_properties"));
                props.put(TAP_KEY, tap);
                db.write(tx -> {
                    tx.set("VIF", vifRef, "currently_attached", true);
                    tx.set("VIF", vifRef, "runtime_properties", Collections.unmodifiableMap(props));
                });
            }
            return new TapDevice(tap, vif.string("MAC"));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the VIF's tap device and clears currently_attached; an internal network's bridge goes too
     * once nothing is left on it. Idempotent, and a VIF that no longer exists is no error.
     */
    public void detach(String vifRef) { removeTap(vifRef, true); }

    /** As {@link #detach}, but the VIF stays marked currently_attached: its VM is suspended, not stopped. */
    public void release(String vifRef) { removeTap(vifRef, false); }

    private void removeTap(String vifRef, boolean unmark) {
        lock.lock();
        try {
            DbObject<?> vif = db.get("VIF", vifRef);
            if (vif == null) return;
            String tap = vif.<String, String>map("runtime_properties").get(TAP_KEY);
            if (tap != null) links.delete(tap);
            if ((unmark && vif.bool("currently_attached")) || tap != null) {
                var props = new LinkedHashMap<String, String>(vif.map("runtime_properties"));
                props.remove(TAP_KEY);
                db.write(tx -> {
                    if (db.get("VIF", vifRef) == null) return;
                    if (unmark) tx.set("VIF", vifRef, "currently_attached", false);
                    tx.set("VIF", vifRef, "runtime_properties", Collections.unmodifiableMap(props));
                });
            }
            DbObject<?> net = db.get("network", vif.string("network"));
            if (net != null) removeBridgeIfUnused(net);
            boolean vmHasTaps = db.related("VM", "VIFs", vif.string("VM")).stream().map(v -> db.get("VIF", v))
                    .anyMatch(o -> o != null && o.<String, String>map("runtime_properties").containsKey(TAP_KEY));
            if (!vmHasTaps) pseudoDomids.remove(vif.string("VM"));
        } finally {
            lock.unlock();
        }
    }

    /** The tap device name a VIF of this VM on this device has: {@code vif<domid>.<device>}. */
    private String tapName(DbObject<?> vm, String device) {
        long domid = vm.integer("domid");
        long n = domid > 0 ? domid : pseudoDomids.computeIfAbsent(vm.ref(), k -> freeTapNumber());
        String name = "vif" + n + "." + device;
        if (!HostLinks.validName(name)) throw ApiError.of("INVALID_DEVICE", device);
        return name;
    }

    private int freeTapNumber() {
        Set<Long> used = new HashSet<>();
        for (DbObject<?> vm : db.all("VM")) used.add(vm.integer("domid"));
        for (int n : pseudoDomids.values()) used.add((long) n);
        Set<String> present = new HashSet<>();
        for (HostLinks.Link l : links.list()) if (l.name().startsWith("vif")) present.add(l.name().substring(0, l.name().indexOf('.') + 1));
        for (int n = 1; ; n++) {
            if (!used.contains((long) n) && !present.contains("vif" + n + ".")) return n;
        }
    }

    /**
     * At start: the bridges of networks with VIFs on VMs running here, again (a host restart loses them),
     * with the taps that survived (a daemon restart keeps them) enslaved again; a halted VM's leftover
     * tap is removed.
     */
    public void ensureBridges() {
        for (DbObject<?> vif : db.all("VIF")) {
            DbObject<?> vm = db.get("VM", vif.string("VM"));
            DbObject<?> net = db.get("network", vif.string("network"));
            if (vm == null || net == null) continue;
            String tap = vif.<String, String>map("runtime_properties").get(TAP_KEY);
            try {
                if (isRunning(vm) && hostRef.equals(vm.string("resident_on"))) {
                    lock.lock();
                    try {
                        ensureBridge(net);
                        if (tap != null && links.exists(tap)) {
                            links.ensureTap(tap, net.string("bridge"), vif.integer("MTU") > 0 ? vif.integer("MTU") : net.integer("MTU"));
                        }
                    } finally {
                        lock.unlock();
                    }
                } else if ("Halted".equals(vm.string("power_state")) && (tap != null || vif.bool("currently_attached"))) {
                    detach(vif.ref());
                }
            } catch (ApiError e) {
                LOG.log(System.Logger.Level.WARNING, "cannot restore network " + net.uuid() + " for VIF " + vif.uuid() + ": " + e.getMessage());
            }
        }
    }

    // ---- this host's interfaces and default networks ----------------------------------------------

    /**
     * At every start, idempotent: the host internal management network (bridge {@code xenapi}), and a PIF
     * for each of this host's physical or veth interfaces, each with its own network as XAPI names them
     * ("Pool-wide network associated with eth0", bridge {@code xenbr0}). Records only: no device changes.
     */
    public void ensureHostNetworks() {
        ensureInternalManagementNetwork();
        try {
            scan();
        } catch (ApiError e) {
            LOG.log(System.Logger.Level.WARNING, "PIF scan failed: " + e.getMessage());
        }
    }

    private void ensureInternalManagementNetwork() {
        DbObject<?> existing = db.where("network",
                n -> "true".equalsIgnoreCase(n.<String, String>map("other_config").get(INTERNAL_MANAGEMENT_KEY))).stream().findFirst().orElse(null);
        if (existing != null) {
            if (!INTERNAL_MANAGEMENT_BRIDGE.equals(existing.string("bridge"))) {
                db.write(tx -> tx.set("network", existing.ref(), "bridge", INTERNAL_MANAGEMENT_BRIDGE));
            }
            return;
        }
        var oc = new LinkedHashMap<String, String>();
        oc.put("is_guest_installer_network", "true");
        oc.put(INTERNAL_MANAGEMENT_KEY, "true");
        oc.put("ip_begin", "169.254.0.1");
        oc.put("ip_end", "169.254.255.254");
        oc.put("netmask", "255.255.0.0");
        var rec = new LinkedHashMap<String, Object>();
        rec.put("name_label", "Host internal management network");
        rec.put("name_description", "Network on which guests will be assigned a private link-local IP address which can be used to talk XenAPI");
        rec.put("MTU", 1500L);
        rec.put("other_config", Collections.unmodifiableMap(oc));
        rec.put("bridge", INTERNAL_MANAGEMENT_BRIDGE);
        createNetwork(rec, true);
    }

    /** PIF.scan: a PIF (and, if need be, its network) for every physical or veth interface not yet recorded. */
    public void scan() {
        lock.lock();
        try {
            DbObject<?> host = db.require("host", hostRef);
            String address = host.string("address");
            Map<String, DbObject<?>> pifs = new HashMap<>();
            for (DbObject<?> p : db.where("PIF", p -> hostRef.equals(p.get("host")))) pifs.put(p.string("device"), p);
            for (HostLinks.Link l : links.list()) {
                if (!(l.physical() || "veth".equals(l.kind())) || l.name().equals("lo")) continue;
                boolean management = holdsAddress(l.name(), address);
                DbObject<?> pif = pifs.get(l.name());
                if (pif == null) {
                    introducePif(l, management);
                } else if (pif.bool("management") != management || pif.bool("currently_attached") != l.up()) {
                    db.write(tx -> {
                        tx.set("PIF", pif.ref(), "management", management);
                        tx.set("PIF", pif.ref(), "currently_attached", l.up());
                    });
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** XAPI's old bridge naming: eth<N> → xenbr<N>, anything else br<device> (cut to Linux's 15 characters). */
    static String bridgeFor(String device) {
        if (device.matches("eth[0-9]+")) return "xenbr" + device.substring(3);
        String b = "br" + device;
        return b.length() > HostLinks.MAX_NAME ? b.substring(0, HostLinks.MAX_NAME) : b;
    }

    private void introducePif(HostLinks.Link l, boolean management) {
        String bridge = bridgeFor(l.name());
        DbObject<?> net = db.where("network", n -> bridge.equals(n.get("bridge"))).stream().findFirst().orElse(null);
        String netRef = net != null ? net.ref() : createNetwork(Map.of("name_label", "Pool-wide network associated with " + l.name(),
                "name_description", "", "MTU", 1500L, "bridge", bridge), true);
        String[] ip = ipv4(l.name());
        db.write(tx -> {
            String metrics = Refs.newRef();
            var m = new LinkedHashMap<String, Object>();
            m.put("uuid", Refs.newUuid());
            m.put("carrier", "1".equals(links.attribute(l.name(), "carrier")));
            m.put("vendor_id", stripHex(links.attribute(l.name(), "device/vendor")));
            m.put("device_id", stripHex(links.attribute(l.name(), "device/device")));
            m.put("speed", parseSpeed(links.attribute(l.name(), "speed")));
            m.put("duplex", "full".equals(links.attribute(l.name(), "duplex")));
            m.put("pci_bus_path", pciPath(l.name()));
            m.put("last_updated", Instant.now());
            tx.put("PIF_metrics", metrics, m);
            var p = new LinkedHashMap<String, Object>();
            p.put("uuid", Refs.newUuid());
            p.put("device", l.name());
            p.put("network", netRef);
            p.put("host", hostRef);
            p.put("MAC", l.mac());
            p.put("MTU", (long) l.mtu());
            p.put("VLAN", -1L);
            p.put("metrics", metrics);
            p.put("physical", true);
            p.put("currently_attached", l.up());
            p.put("IP", ip[0]);
            p.put("netmask", ip[1]);
            p.put("management", management);
            p.put("properties", Map.of("gro", "on"));
            tx.put("PIF", Refs.newRef(), p);
        });
    }

    private String pciPath(String dev) {
        try {
            var p = java.nio.file.Path.of("/sys/class/net", dev, "device");
            return java.nio.file.Files.isSymbolicLink(p) ? java.nio.file.Files.readSymbolicLink(p).getFileName().toString() : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String stripHex(String s) { return s.startsWith("0x") ? s.substring(2) : s; }

    private static long parseSpeed(String s) {
        try {
            long v = Long.parseLong(s);
            return v < 0 ? 0 : v;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The interface's first IPv4 address and netmask, as the host has them configured ("" if none). */
    private static String[] ipv4(String dev) {
        try {
            NetworkInterface ni = NetworkInterface.getByName(dev);
            if (ni != null) {
                for (InterfaceAddress a : ni.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address v4) {
                        int len = a.getNetworkPrefixLength();
                        long mask = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
                        return new String[] {v4.getHostAddress(),
                                (mask >> 24) + "." + ((mask >> 16) & 255) + "." + ((mask >> 8) & 255) + "." + (mask & 255)};
                    }
                }
            }
        } catch (SocketException ignored) {
            // no address then
        }
        return new String[] {"", ""};
    }

    private static boolean holdsAddress(String dev, String address) {
        if (address == null || address.isEmpty()) return false;
        try {
            NetworkInterface ni = NetworkInterface.getByName(dev);
            if (ni == null) return false;
            for (InterfaceAddress a : ni.getInterfaceAddresses()) {
                if (a.getAddress().getHostAddress().equals(address)) return true;
            }
        } catch (SocketException ignored) {
            // not it then
        }
        return false;
    }
}
