package org.flotilla.network.bridge;

import java.util.List;
import java.util.regex.Pattern;

/**
 * This host's network devices as networks need them: a bridge per network, a tap device per attached VIF
 * enslaved to it, and the host's own interfaces, listed. Every change names its device explicitly; nothing here
 * touches an interface the caller did not name. The Linux bridge backend ({@code network.linux}) implements it;
 * an Open vSwitch backend would implement it too, its bridges and ports being devices of the same names.
 */
public interface HostLinks {
    /** Linux's limit on interface names (IFNAMSIZ - 1). */
    int MAX_NAME = 15;
    Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");

    /** A usable interface name: 1–15 characters, letters, digits, '_', '.', '-', not starting with a symbol. */
    static boolean validName(String name) { return name != null && NAME.matcher(name).matches(); }

    /** One interface of the host. {@code kind} is empty for a plain (physical) device; {@code master}, its bridge or "". */
    record Link(String name, String kind, String mac, int mtu, boolean up, boolean physical, String master) {}

    boolean exists(String name);

    boolean isBridge(String name);

    /** The devices enslaved to a bridge. */
    List<String> ports(String bridge);

    /** Makes the bridge if it does not exist, and brings it up with the MTU; BRIDGE_NOT_AVAILABLE if the name is another device's. */
    void ensureBridge(String bridge, long mtu);

    /**
     * Makes a tap device (if it does not exist), root's alone — the daemon opens it for QEMU — and puts it on the
     * bridge, up, with the MTU.
     */
    void ensureTap(String tap, String bridge, long mtu);

    /** Removes a device if it exists. */
    void delete(String name);

    /** Takes a tap off its bridge and down, leaving it to the process that still holds it open. */
    void cutOff(String tap);

    /** Every interface of this host (this network namespace). */
    List<Link> list();

    /** An attribute of an interface as sysfs shows it ({@code carrier}, {@code device/vendor}), trimmed, or "" if unreadable. */
    String attribute(String name, String attr);
}
