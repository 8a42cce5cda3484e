package org.flotilla;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/** For tests and benchmarks of changed-block tracking: XAPI's bitmap read back, and blocks rewritten in a disk's top image. */
public final class CbtBlocks {
    /** XAPI's CBT block. */
    public static final int BLOCK = 64 * 1024;

    private CbtBlocks() {}

    /** The blocks VDI.list_changed_blocks's answer names, in order: block i is bit 7 - i % 8 of byte i / 8. */
    public static List<Integer> decode(String base64) {
        byte[] bitmap = Base64.getDecoder().decode(base64);
        var out = new ArrayList<Integer>();
        for (int b = 0; b < bitmap.length * 8; b++) if ((bitmap[b >> 3] & (0x80 >>> (b & 7))) != 0) out.add(b);
        return out;
    }

    /**
     * A qemu-io command line that fills {@code blocks} of the qcow2 {@code image} with 0x5a, opened alone: whole
     * clusters, so nothing of its backing file is needed (none is named).
     */
    public static List<String> rewrite(Path image, Collection<Integer> blocks) {
        var argv = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (int b : blocks) argv.addAll(List.of("-c", "write -P 0x5a " + (long) b * BLOCK + " " + BLOCK));
        argv.add("json:{\"driver\":\"qcow2\",\"backing\":null,\"file\":{\"driver\":\"file\",\"filename\":\"" + image + "\"}}");
        return argv;
    }
}
