package org.flotilla.network.pif;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** The addresses the host has configured on its interfaces, as PIF records show them. */
final class InterfaceAddresses {
    private InterfaceAddresses() {}

    /** The interface's first IPv4 address and netmask ("" if none). */
    static String[] ipv4(String dev) {
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

    /** Whether the interface holds the address (the host's management address makes its PIF the management one). */
    static boolean holds(String dev, String address) {
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
