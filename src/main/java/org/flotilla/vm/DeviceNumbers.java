package org.flotilla.vm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.flotilla.model.xenapi.enums.VbdType;

/**
 * Disk device names as XAPI reads them (xapi-idl's Device_number): a number ("0", "3"), or a Linux name
 * ("xvda", "hdb", "sdc", "fda", "xvdb2"), or "d0p1". On QEMU every non-floppy bus ends up as one more disk
 * of the same guest, so two names clash when they name the same disk number on any non-floppy bus:
 * "0", "xvda" and "hda" are one device here (XAPI lets "hda" and "xvda" coexist; QEMU could not).
 */
final class DeviceNumbers {
    private DeviceNumbers() {}

    enum Bus { XEN, SCSI, FLOPPY, IDE }

    record Dev(Bus bus, int disk, int partition) {
        /** The slot this device occupies: floppies apart, every other bus shares disk numbers. */
        String slot() { return (bus == Bus.FLOPPY ? "fd" : "disk") + disk; }
    }

    /** The highest disk number HVM guests get offered (XAPI: allowed_VBD_devices_HVM, 0..254). */
    static final int MAX_DISK = 254;
    static final int MAX_VIF = 15;

    private static int maxDisk(Bus b) {
        return switch (b) { case XEN -> (1 << 20) - 1; case SCSI -> 15; case FLOPPY -> 2; case IDE -> 19; };
    }

    private static int maxPartition(Bus b) {
        return switch (b) { case XEN, SCSI -> 15; case FLOPPY -> 0; case IDE -> 63; };
    }

    private static Dev make(Bus b, int disk, int partition) {
        if (disk < 0 || disk > maxDisk(b) || partition < 0 || partition > maxPartition(b)) return null;
        return new Dev(b, disk, partition);
    }

    static Dev ofDiskNumber(boolean hvm, int n) { return make(hvm && n < 4 ? Bus.IDE : Bus.XEN, n, 0); }

    /** Device_number.of_string: a number, else a Linux device name; null if neither. */
    static Dev parse(String s, boolean hvm) {
        if (s == null || s.isEmpty()) return null;
        if (s.chars().allMatch(Character::isDigit)) {
            try {
                return ofDiskNumber(hvm, Integer.parseInt(s));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        if (s.startsWith("xvd")) return b26(Bus.XEN, s.substring(3));
        if (s.startsWith("sd")) return b26(Bus.SCSI, s.substring(2));
        if (s.startsWith("fd")) return b26(Bus.FLOPPY, s.substring(2));
        if (s.startsWith("hd")) return b26(Bus.IDE, s.substring(2));
        if (s.startsWith("d")) {
            var m = java.util.regex.Pattern.compile("(\\d+)(?:p(\\d+))?").matcher(s.substring(1));
            if (!m.matches()) return null;
            try {
                return make(Bus.XEN, Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** "a" → 0, "z" → 25, "aa" → 26, optionally followed by a partition number. */
    private static Dev b26(Bus bus, String rest) {
        int i = 0;
        long v = 0;
        while (i < rest.length() && rest.charAt(i) >= 'a' && rest.charAt(i) <= 'z') {
            v = v * 26 + (rest.charAt(i) - 'a' + 1);
            if (v > Integer.MAX_VALUE) return null;
            i++;
        }
        if (i == 0) return null;
        int partition = 0;
        if (i < rest.length()) {
            String p = rest.substring(i);
            if (!p.chars().allMatch(Character::isDigit) || p.length() > 6) return null;
            partition = Integer.parseInt(p);
        }
        return make(bus, (int) v - 1, partition);
    }

    /** Every device a userdevice string may mean (XAPI: possible_VBD_devices_of_string). */
    static List<Dev> interpretations(String s) {
        var out = new ArrayList<Dev>(2);
        Dev h = parse(s, true);
        Dev p = parse(s, false);
        if (h != null) out.add(h);
        if (p != null && !p.equals(h)) out.add(p);
        return out;
    }

    static Set<String> slots(String s) {
        var out = new LinkedHashSet<String>();
        for (Dev d : interpretations(s)) out.add(d.slot());
        return out;
    }

    /** XAPI's valid_device: "autodetect", a device name, or (not for floppies) a disk number. */
    static boolean valid(String s, VbdType vbdType) {
        if ("autodetect".equals(s)) return true;
        if (parse(s, false) != null) return true;
        return vbdType != VbdType.Floppy && s != null && !s.isEmpty() && s.chars().allMatch(Character::isDigit)
                && s.length() < 10;
    }

    static String linuxName(Dev d) {
        String prefix = switch (d.bus()) { case XEN, IDE -> "xvd"; case SCSI -> "sd"; case FLOPPY -> "fd"; };
        StringBuilder sb = new StringBuilder();
        int x = d.disk();
        do {
            sb.insert(0, (char) ('a' + x % 26));
            x = x / 26 - 1;
        } while (x >= 0);
        return prefix + sb + (d.partition() == 0 ? "" : Integer.toString(d.partition()));
    }
}
