package org.flotilla.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.flotilla.model.ApiError;
import org.flotilla.os.IscsiSession;

/**
 * The metadata an iSCSI SR keeps at the start of its LUN, in place of XAPI's LVM volume group: the SR's uuid and a table
 * of extents, each a VDI's bytes (named by its uuid, or a temporary name while it is made or removed), at a 1 MiB aligned
 * offset of the data area that follows the metadata. Nothing else is on the LUN: a VDI is raw data in its extent.
 *
 * <p>The first {@link #AREA} bytes hold two slots, written in turn, each a magic, a generation, the length and CRC-32 of
 * a JSON document, and the document. A reader takes the valid slot of the highest generation, so a write cut short
 * leaves the previous table in the other slot, and a host reading while another writes sees one or the other whole.
 * Only the pool's coordinator writes it ({@link SrMaster}), under the SR's lock.
 */
record LunMetadata(String srUuid, long generation, List<Extent> extents) {
    static final int AREA = 1 << 20;
    static final int SLOT = AREA / 2;
    static final long ALIGNMENT = 1 << 20;
    private static final byte[] MAGIC = "FLOTILLA-LUN-SR\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SLOT_HEADER = MAGIC.length + 8 + 4 + 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One VDI's bytes: {@code size} bytes (a multiple of {@link #ALIGNMENT}) at {@code offset} of the LUN. */
    record Extent(String name, long offset, long size) {}

    LunMetadata {
        extents = extents.stream().sorted(Comparator.comparingLong(Extent::offset)).toList();
    }

    static LunMetadata fresh(String srUuid) { return new LunMetadata(srUuid, 0, List.of()); }

    Optional<Extent> extent(String name) { return extents.stream().filter(e -> e.name().equals(name)).findFirst(); }

    long used() { return extents.stream().mapToLong(Extent::size).sum(); }

    /** The bytes of a LUN of {@code lunSize} that extents can take. */
    static long capacity(long lunSize) { return Math.max(0, lunSize - AREA) / ALIGNMENT * ALIGNMENT; }

    LunMetadata with(List<Extent> now) { return new LunMetadata(srUuid, generation, now); }

    LunMetadata without(String name) { return with(extents.stream().filter(e -> !e.name().equals(name)).toList()); }

    /** {@code from}'s extent named {@code to}, replacing an extent of that name. */
    LunMetadata renamed(String from, String to) throws IOException {
        Extent e = extent(from).orElseThrow(() -> new IOException("no extent " + from));
        var now = new ArrayList<>(without(to).without(from).extents());
        now.add(new Extent(to, e.offset(), e.size()));
        return with(now);
    }

    /** A new extent of at least {@code size} bytes at the first gap it fits in: SR_FULL if there is none. */
    LunMetadata allocated(String name, long size, long lunSize) {
        long wanted = roundUp(Math.max(size, 1));
        long at = AREA;
        for (Extent e : extents) {
            if (e.offset() - at >= wanted) break;
            at = Math.max(at, e.offset() + e.size());
        }
        long end = AREA + capacity(lunSize);
        if (at + wanted > end) throw ApiError.of("SR_FULL", Long.toString(wanted), Long.toString(largestGap(end)));
        var now = new ArrayList<>(extents);
        now.add(new Extent(name, at, wanted));
        return with(now);
    }

    private long largestGap(long end) {
        long at = AREA, best = 0;
        for (Extent e : extents) {
            best = Math.max(best, e.offset() - at);
            at = Math.max(at, e.offset() + e.size());
        }
        return Math.max(best, end - at);
    }

    static long roundUp(long size) { return (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }

    /** The table on the LUN, if it holds one. */
    static Optional<LunMetadata> read(IscsiSession s, IscsiSession.Lun lun) throws IOException {
        if (lun.size() < AREA) return Optional.empty();
        byte[] area = s.read(lun.id(), 0, AREA, lun.blockSize());
        Optional<LunMetadata> a = parse(ByteBuffer.wrap(area, 0, SLOT).slice());
        Optional<LunMetadata> b = parse(ByteBuffer.wrap(area, SLOT, SLOT).slice());
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return a.get().generation() >= b.get().generation() ? a : b;
    }

    private static Optional<LunMetadata> parse(ByteBuffer slot) {
        byte[] magic = new byte[MAGIC.length];
        slot.get(0, magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) return Optional.empty();
        long generation = slot.getLong(MAGIC.length);
        int length = slot.getInt(MAGIC.length + 8);
        int crc = slot.getInt(MAGIC.length + 12);
        if (length < 0 || length > SLOT - SLOT_HEADER) return Optional.empty();
        byte[] doc = new byte[length];
        slot.get(SLOT_HEADER, doc);
        var sum = new CRC32();
        sum.update(doc);
        if ((int) sum.getValue() != crc) return Optional.empty();
        try {
            JsonNode n = JSON.readTree(doc);
            var extents = new ArrayList<Extent>();
            for (JsonNode e : n.path("extents")) extents.add(new Extent(e.path("name").asText(), e.path("offset").asLong(), e.path("size").asLong()));
            return Optional.of(new LunMetadata(n.path("sr").asText(), generation, extents));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes this table as the next generation, into the slot the current one is not in; returns what was written. */
    LunMetadata write(IscsiSession s, IscsiSession.Lun lun) throws IOException {
        long next = generation + 1;
        ObjectNode n = JSON.createObjectNode().put("sr", srUuid);
        var list = n.putArray("extents");
        for (Extent e : extents) list.addObject().put("name", e.name()).put("offset", e.offset()).put("size", e.size());
        byte[] doc = JSON.writeValueAsBytes(n);
        if (doc.length > SLOT - SLOT_HEADER) throw new IOException("the SR's metadata outgrew its " + SLOT + " bytes");
        int length = (int) roundUp(SLOT_HEADER + doc.length, lun.blockSize());
        ByteBuffer slot = ByteBuffer.allocate(length);
        var sum = new CRC32();
        sum.update(doc);
        slot.put(MAGIC).putLong(next).putInt(doc.length).putInt((int) sum.getValue()).put(doc);
        s.write(lun.id(), (next % 2) * SLOT, slot.array(), lun.blockSize());
        return new LunMetadata(srUuid, next, extents);
    }

    /** Wipes both slots' headers: the LUN holds no SR any longer. */
    static void erase(IscsiSession s, IscsiSession.Lun lun) throws IOException {
        byte[] zeros = new byte[(int) roundUp(SLOT_HEADER, lun.blockSize())];
        s.write(lun.id(), 0, zeros, lun.blockSize());
        s.write(lun.id(), SLOT, zeros, lun.blockSize());
    }

    private static long roundUp(long n, int block) { return (n + block - 1) / block * block; }
}
