package org.flotilla.network.vif;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/** MAC addresses of VIFs, as XAPI makes and checks them (xapi_vif_helpers.ml, helpers.ml). */
public final class Macs {
    private static final Pattern VALID = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Macs() {}

    /** Six colon-separated pairs of hex digits, as XAPI's Helpers.is_valid_MAC. */
    public static boolean valid(String mac) { return mac != null && VALID.matcher(mac).matches(); }

    /**
     * XAPI's gen_mac: the VM's {@code mac_seed} (other_config) hashed with MD5 {@code 2*device + 1} times;
     * four bytes of that digest and two of its own digest, made unicast and locally administered. So a
     * VM's VIF on a given device always gets the same MAC, across copies that keep the seed.
     */
    public static String fromSeed(String seed, int device) {
        byte[] h = seed.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i <= device * 2; i++) h = md5(h);
        byte[] h2 = md5(h);
        return format(new int[] {h[0] & 0xff, h[1] & 0xff, h[2] & 0xff, h[3] & 0xff, h2[1] & 0xff, h2[2] & 0xff});
    }

    /** A random unicast, locally administered MAC. */
    public static String random() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        int[] m = new int[6];
        for (int i = 0; i < 6; i++) m[i] = b[i] & 0xff;
        return format(m);
    }

    /** Bit 1 of the first byte (locally administered) set, bit 0 (multicast) clear, as XAPI's mac_from_int_array. */
    static String format(int[] m) {
        m[0] = (m[0] | 0x2) & ~0x1;
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    }

    private static byte[] md5(byte[] in) {
        try {
            return MessageDigest.getInstance("MD5").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
