package org.flotilla.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an import needs from a VMDK, read by the daemon itself (VMware's Virtual Disk Format 5.0, and QEMU's
 * block/vmdk.c for what QEMU would open): a sparse file's header (monolithicSparse, streamOptimized, and each extent of
 * twoGbMaxExtentSparse), or a text descriptor (monolithicFlat, twoGbMaxExtent*) with its extent lines. A VMDK names
 * other files in two places, and QEMU opens them by those names: the descriptor's extents, and a child disk's
 * {@code parentFileNameHint}. A sparse header whose capacity is 0 carries a descriptor of other extents (QEMU then
 * opens those). So an extent name is taken only as a bare file name of the package it came in, a parent is refused, and
 * a sparse header with no capacity of its own is refused.
 */
final class VmdkImage {
    static final int SPARSE_MAGIC = 0x564d444b; // "KDMV", little-endian on disk
    static final int COWD_MAGIC = 0x434f5744; // "COWD": ESX 2 sparse, which QEMU reads but nobody exports now
    /** A text descriptor is small; one larger than this is not read. */
    static final int MAX_DESCRIPTOR = 64 << 10;
    private static final long SECTOR = 512;
    private static final String NO_PARENT = "ffffffff";
    /** The text descriptors' createTypes QEMU opens (block/vmdk.c); the sparse ones carry their descriptor inside. */
    static final List<String> TEXT_TYPES = List.of("monolithicFlat", "twoGbMaxExtentFlat", "twoGbMaxExtentSparse", "vmfs");
    private static final Pattern EXTENT = Pattern.compile("(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+(\\w+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d+))?)?\\s*");
    private static final Pattern SETTING = Pattern.compile("([A-Za-z][\\w.]*)\\s*=\\s*\"?([^\"]*)\"?\\s*");

    /** One extent line: its sectors, its type (FLAT, SPARSE, ZERO, VMFS) and file, and for a flat one its offset. */
    record Extent(String access, long sectors, String type, String file, long offset) {
        boolean hasFile() { return !type.equals("ZERO"); }
    }

    /** A descriptor's createType and extents, once checked to name no parent. */
    record Descriptor(String createType, List<Extent> extents) {
        long capacity() { return extents.stream().mapToLong(e -> e.sectors() * SECTOR).sum(); }
    }

    /** Why a VMDK is not imported; the message says which part of it. */
    static final class Refused extends Exception {
        Refused(String message) { super(message, null, false, false); }
    }

    private VmdkImage() {}

    /** The first four bytes of a file, as the VMDK formats number them. */
    static int magic(ByteBuffer first) { return first.limit() < 4 ? 0 : first.order(ByteOrder.LITTLE_ENDIAN).getInt(0); }

    /**
     * A sparse VMDK's capacity in bytes, once sure it is one QEMU reads as a single self-contained file: a capacity of
     * its own, and an embedded descriptor (if any) naming no parent.
     */
    static long sparseCapacity(SeekableByteChannel ch) throws IOException, Refused {
        ByteBuffer h = read(ch, 0, 512).order(ByteOrder.LITTLE_ENDIAN);
        if (h.limit() < 512 || h.getInt(0) != SPARSE_MAGIC) throw new Refused("not a sparse VMDK");
        long capacity = h.getLong(12);
        long descOffset = h.getLong(28);
        long descSize = h.getLong(36);
        if (capacity <= 0 || capacity > Long.MAX_VALUE / SECTOR) {
            throw new Refused("a sparse VMDK without a capacity of its own (its descriptor would name other files)");
        }
        if (descOffset != 0) {
            if (descSize <= 0 || descSize * SECTOR > MAX_DESCRIPTOR || descOffset < 0 || descOffset > ch.size() / SECTOR) {
                throw new Refused("a sparse VMDK's embedded descriptor lies outside it");
            }
            String text = new String(read(ch, descOffset * SECTOR, (int) (descSize * SECTOR)).array(), StandardCharsets.UTF_8);
            int nul = text.indexOf('\0');
            parse(nul < 0 ? text : text.substring(0, nul));
        }
        return capacity * SECTOR;
    }

    /**
     * A descriptor: its createType and extents (none in the embedded descriptor of a twoGbMaxExtentSparse extent),
     * refused if it names a parent or an extent type QEMU would treat as an image of its own.
     */
    static Descriptor parse(String text) throws Refused {
        String createType = "";
        var extents = new ArrayList<Extent>();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            Matcher e = EXTENT.matcher(line);
            if (e.matches()) {
                String type = e.group(3).toUpperCase(Locale.ROOT);
                if (!List.of("FLAT", "SPARSE", "ZERO", "VMFS").contains(type)) throw new Refused("an extent of type " + type);
                if (!type.equals("ZERO") && e.group(4) == null) throw new Refused("an extent without a file: " + line);
                long sectors = Long.parseLong(e.group(2));
                long offset = e.group(5) == null ? 0 : Long.parseLong(e.group(5));
                extents.add(new Extent(e.group(1), sectors, type, e.group(4), offset));
                continue;
            }
            Matcher s = SETTING.matcher(line);
            if (!s.matches()) continue;
            String key = s.group(1);
            String value = s.group(2).strip();
            if (key.equalsIgnoreCase("createType")) createType = value;
            // a child disk: its parent would be opened by the name written here
            if (key.equalsIgnoreCase("parentCID") && !value.equalsIgnoreCase(NO_PARENT)) throw new Refused("a VMDK with a parent disk (parentCID " + value + ")");
            if (key.equalsIgnoreCase("parentFileNameHint")) throw new Refused("a VMDK naming a parent file (" + value + ")");
        }
        return new Descriptor(createType, List.copyOf(extents));
    }

    /**
     * An extent's file name as a name of the package ({@code dir/name} at most, never absolute, never {@code ..}):
     * QEMU would resolve it against the descriptor's directory, so anything else reaches outside the package.
     */
    static String packageName(String extentFile) throws Refused {
        if (extentFile.isEmpty() || extentFile.startsWith("/") || extentFile.contains("\\") || extentFile.contains(":")) {
            throw new Refused("an extent names " + extentFile + ", outside the package");
        }
        for (String part : extentFile.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) throw new Refused("an extent names " + extentFile + ", outside the package");
        }
        return extentFile;
    }

    /** The descriptor again, each extent's file renamed as {@code renamed} says and nothing else kept but the geometry QEMU reads. */
    static String rewrite(Descriptor d, List<String> renamed) {
        var out = new StringBuilder("# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"")
                .append(d.createType().isEmpty() ? "monolithicFlat" : d.createType()).append("\"\n\n# Extent description\n");
        for (int i = 0; i < d.extents().size(); i++) {
            Extent e = d.extents().get(i);
            out.append(e.access()).append(' ').append(e.sectors()).append(' ').append(e.type());
            if (e.hasFile()) out.append(" \"").append(renamed.get(i)).append('"');
            if (e.type().equals("FLAT") || e.type().equals("VMFS")) out.append(' ').append(e.offset());
            out.append('\n');
        }
        // laid out as VMware writes it: QEMU 10 reads an extent line after a blank line, or at the very end, twice (twice the disk)
        return out.append("\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\n").toString();
    }

    private static ByteBuffer read(SeekableByteChannel ch, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        ch.position(offset);
        while (b.hasRemaining() && ch.read(b) >= 0) {
            // reads until full or the end
        }
        b.flip();
        return b;
    }
}
