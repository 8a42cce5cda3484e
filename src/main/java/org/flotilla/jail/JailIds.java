package org.flotilla.jail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The uids (and equal gids) jailed VMs run as: {@code base + domid}, so that no two VMs of a host share one
 * and none is an account of the host — as XCP-ng runs each QEMU as qemu_base + domid. No account is made:
 * the ids only need to be unused, which {@link #conflicts} checks against the host's user and group files.
 * The default base, 0x70000000, lies above the ranges systemd reserves for containers.
 */
public record JailIds(long base) {
    public static final long DEFAULT_BASE = 0x7000_0000L;
    /** Ids up to base + SPAN are the jails'; domain ids stay below it. */
    public static final long SPAN = 0x0fff_ffffL;

    public JailIds {
        if (base < 1000 || base + SPAN > Integer.MAX_VALUE) throw new IllegalArgumentException("jail uid base out of range: " + base);
    }

    /** The base from {@code flotilla.jail-uid-base}, else the default. */
    public static JailIds configured() { return new JailIds(Long.getLong("flotilla.jail-uid-base", DEFAULT_BASE)); }

    public int uid(long domid) {
        if (domid < 1 || domid > SPAN) throw new IllegalArgumentException("domain id out of the jails' range: " + domid);
        return (int) (base + domid);
    }

    /** Whether {@code uid} is one of the jails'. */
    public boolean owns(long uid) { return uid > base && uid <= base + SPAN; }

    /** Accounts and groups of the host whose ids fall in the jails' range: each would share its files with a VM. */
    public List<String> conflicts(Path passwd, Path group) {
        var out = new ArrayList<String>();
        for (Path f : List.of(passwd, group)) {
            try {
                for (String line : Files.readAllLines(f)) {
                    String[] p = line.split(":");
                    if (p.length < 3) continue;
                    try {
                        if (owns(Long.parseLong(p[2]))) out.add(f.getFileName() + ":" + p[0] + "=" + p[2]);
                    } catch (NumberFormatException ignored) { }
                }
            } catch (IOException ignored) {
                // a host without the file has no accounts in it
            }
        }
        return out;
    }
}
