package org.flotilla.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.DoubleConsumer;
import org.flotilla.api.TaskContext;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.PBD;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.storage.qcow2.Qcow2Export;
import org.flotilla.storage.vhd.BadVhd;
import org.flotilla.storage.vhd.VhdExport;
import org.flotilla.storage.vhd.VhdFormat;
import org.flotilla.storage.vhd.VhdImport;

/**
 * A VDI's bytes as a stream, for XAPI's {@code /import_raw_vdi} and {@code /export_raw_vdi}: raw (the whole virtual
 * size), a dynamic VHD (only the blocks that hold data), or qcow2 (its clusters that hold data; an import of one is
 * staged and checked before qemu-img converts it, {@link Qcow2Upload}). The disk is opened by a qemu-storage-daemon of the
 * daemon's from the pool's records ({@link BlockExports}, the chain described in full, as for qemu-img) and reached
 * over NBD on its unix socket ({@link NbdConnection}, a few requests in flight through an {@link NbdPipeline}), a few
 * buffers whatever the disk's size.
 *
 * <p>An import into a VDI on a local directory goes first into a temporary qcow2 overlay on the VDI's top image and
 * is committed into it only once the whole stream was read and found right; a stream refused or cut short leaves
 * the VDI as it was (the overlay, a temporary file, is removed, or by the next scan after a crash). Elsewhere (NFS,
 * iSCSI extents) the stream is written into the VDI as it comes, as XAPI's vhd-tool writes.
 */
public final class DiskStreams {
    /** The formats XAPI's handlers take in {@code format=}. */
    public enum Format {
        RAW("application/octet-stream"), VHD("application/vhd"),
        /** As XCP-ng's qcow-stream-tool sends and takes it (a whole disk: no backing file). */
        QCOW2("application/x-qemu-disk");

        private final String contentType;

        Format(String contentType) { this.contentType = contentType; }

        public String contentType() { return contentType; }

        public String wire() { return name().toLowerCase(Locale.ROOT); }

        /** The format named, raw when none is; empty for one XAPI does not stream (its handlers answer 404 then). */
        public static Optional<Format> of(String name) {
            if (name == null) return Optional.of(RAW);
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "raw" -> Optional.of(RAW);
                case "vhd" -> Optional.of(VHD);
                case "qcow2" -> Optional.of(QCOW2);
                default -> Optional.empty();
            };
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String EXPORT = "disk";
    /** The allocation map's blocks (VHD's), and what one NBD request moves; an export relative to a base sends or zeroes whole ones. */
    private static final int CHUNK = VhdFormat.DEFAULT_BLOCK_SIZE;
    private static final byte[] ZERO_CHUNK = new byte[CHUNK];
    /** A qcow2 cluster: the least an image leaves unallocated. */
    private static final int ZERO_GRAIN = 64 << 10;
    /**
     * NBD requests unanswered at once: enough that QEMU writes or reads while the stream's thread moves the next
     * bytes; what an export holds is this many chunks.
     */
    private static final int WRITES_IN_FLIGHT = 8;
    private static final int READS_AHEAD = 4;
    /** Allocation is asked of qemu-img a window at a time, so that its answer stays small on a fragmented disk. */
    private static final long MAP_WINDOW = 1L << 30;

    private final Database db;
    private final Ref<Host> host;
    private final VdiLayers layers;
    private final VdiRecords records;
    private final QemuImg qemu;
    private final Vdis vdis;
    private final ManagedVdis managed;
    private final ChangedBlocks changedBlocks;
    /** Where an uploaded qcow2 image waits for a VDI whose SR is no local directory (NFS, iSCSI). */
    private final Path uploads;

    DiskStreams(Database db, Ref<Host> host, VdiLayers layers, VdiRecords records, QemuImg qemu, Vdis vdis, ManagedVdis managed,
                ChangedBlocks changedBlocks, Path uploads) {
        this.uploads = uploads;
        this.db = db;
        this.host = host;
        this.layers = layers;
        this.records = records;
        this.qemu = qemu;
        this.vdis = vdis;
        this.managed = managed;
        this.changedBlocks = changedBlocks;
        // what a daemon killed in the midst of such an upload left there; no SR's scan looks in this directory
        ImageFiles.removeTemporaries(new LocalDir(uploads));
    }

    /**
     * The host that must serve a stream of {@code vdi}: empty for this one, which has the VDI's SR plugged; else one
     * that has (XAPI redirects the client there). SR_HAS_NO_PBDS when no host has.
     */
    public Optional<Ref<Host>> elsewhere(Ref<VDI> vdi) { return srElsewhere(db.require(vdi).get(VDI.SR)); }

    /** As {@link #elsewhere(Ref)}, for a stream that makes its VDIs in {@code sr} (an XVA import). */
    public Optional<Ref<Host>> srElsewhere(Ref<SR> sr) {
        List<Ref<Host>> plugged = db.referring(PBD.SR, sr).stream().filter(p -> p.get(PBD.currently_attached))
                .map(p -> p.get(PBD.host)).toList();
        if (plugged.contains(host)) return Optional.empty();
        if (plugged.isEmpty()) throw ApiError.of("SR_HAS_NO_PBDS", sr.value());
        return Optional.of(plugged.getFirst());
    }

    /**
     * Writes the stream {@code body} of {@code format} into {@code vdi}: raw bytes from its start, or a VHD's allocated
     * blocks at their places. {@code declared} is the request's Content-Length (-1 if none): a raw stream longer than
     * the VDI is refused before it is read. Returns the bytes written.
     */
    public long importInto(Ref<VDI> vdi, Format format, InputStream body, long declared, TaskContext task) {
        long size = writable(vdi);
        if (format == Format.RAW && declared > size) throw ApiError.of("VDI_TOO_SMALL", vdi.value(), Long.toString(declared));
        // Xen Orchestra probes for a redirection with an empty PUT before it sends the stream
        if (declared == 0) return 0;
        var in = new ClientStream(body);
        if (format == Format.QCOW2) return importQcow2(vdi, size, in, declared, task);
        return fill(vdi, task, target -> switch (format) {
            case RAW -> copyRaw(in, declared, size, target, task, vdi);
            case VHD -> VhdImport.copy(in, size, target, task::progress);
            case QCOW2 -> throw new IllegalStateException("a qcow2 image is staged, not streamed");
        });
    }

    /**
     * Converts the image {@code source} of an uploaded package into {@code vdi}, a VDI just made for it (so reading as
     * zeros): qemu-img reads the image as {@link PackagedImages} described it, telling {@code progress} how far it got (0 to 1).
     * VDI_TOO_SMALL if the image is larger.
     */
    public void convertInto(Ref<VDI> vdi, PackagedImages.Source source, java.util.function.DoubleConsumer progress) {
        long size = writable(vdi);
        if (source.virtualSize() > size) throw ApiError.of("VDI_TOO_SMALL", vdi.value(), Long.toString(source.virtualSize()));
        qemu.fromNode(source.node(), layers.of(vdi).attachment(), progress);
        vdis.update(vdi);
    }

    /** The VDI's size, once sure it may be written now. */
    private long writable(Ref<VDI> vdi) {
        DbObject<VDI> v = db.require(vdi);
        if (v.get(VDI.read_only)) throw ApiError.of("VDI_READONLY", vdi.value());
        if (!records.activeVbds(vdi).isEmpty()) throw ApiError.of("VDI_IN_USE", vdi.value(), "import");
        return v.get(VDI.virtual_size);
    }

    /** What writes a disk's data through a {@link VhdImport.Target}, returning the bytes it wrote. */
    @FunctionalInterface
    public interface Filler {
        long fill(VhdImport.Target disk) throws IOException, BadVhd;
    }

    /**
     * Writes {@code vdi} through {@code filler}, which reads its own stream (an XVA's chunks): staged and committed as
     * {@link #importInto} does, so a filler that throws leaves the VDI as it was. A filler's ApiError passes through;
     * its I/O failures reading the client's stream should be ApiErrors of its own.
     */
    public long fill(Ref<VDI> vdi, TaskContext task, Filler filler) {
        long size = writable(vdi);
        return staged(vdi, size, task, staged -> {
            try (BlockExports server = serve(staged);
                 NbdPipeline nbd = new NbdPipeline(NbdConnection.open(server.socket(), EXPORT), WRITES_IN_FLIGHT)) {
                long written = filler.fill(checked(nbd, task));
                nbd.flush();
                return written;
            }
        });
    }

    /** What writes an import's data into where it is staged, returning the bytes it wrote. */
    @FunctionalInterface
    private interface Writes {
        long into(Staged staged) throws IOException, BadVhd;
    }

    /**
     * Writes {@code vdi}, of {@code size} bytes, through {@code writes} into a temporary overlay where there is one,
     * committed once it returned, so that a failure leaves the VDI as it was; the stream's failures become the import's
     * XenAPI errors.
     */
    private long staged(Ref<VDI> vdi, long size, TaskContext task, Writes writes) {
        Staged staged = Staged.of(layers.of(vdi).attachment(), size, qemu, db.require(vdi).get(VDI.cbt_enabled));
        long written;
        try {
            written = writes.into(staged);
            if (staged.overlay() != null) commit(vdi, staged);
        } catch (BadVhd e) {
            throw switch (e.kind()) {
                case MALFORMED -> ApiError.of("IMPORT_ERROR", e.getMessage());
                case TOO_LARGE -> ApiError.of("VDI_TOO_SMALL", vdi.value(), e.getMessage());
                case TRUNCATED -> ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
            };
        } catch (ClientStream.Gone e) {
            throw ApiError.of("IMPORT_ERROR_PREMATURE_EOF");
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot write " + staged.chain().describe() + ": " + e.getMessage());
        } finally {
            staged.discard();
        }
        vdis.update(vdi);
        task.progress(1.0);
        return written;
    }

    /**
     * A qcow2 image into {@code vdi}: staged whole and checked ({@link Qcow2Upload}), then converted by qemu-img into the
     * import's overlay, every cluster of the VDI's size the image does not hold written as zeros (as a hole, not data),
     * and committed. The first half of the task's progress is the upload, the second the conversion.
     */
    private long importQcow2(Ref<VDI> vdi, long size, ClientStream in, long declared, TaskContext task) {
        Storage.Attachment chain = layers.of(vdi).attachment();
        LocalDir where = chain.store() instanceof LocalDir dir ? dir : new LocalDir(uploads);
        return staged(vdi, size, task, staged -> {
            Files.createDirectories(where.path());
            try (Qcow2Upload upload = Qcow2Upload.stage(in, declared, where, task, f -> task.progress(f / 2))) {
                var found = upload.check(vdi, size);
                qemu.overwrite(upload.node(), staged.chain(), f -> {
                    task.checkCancelled();
                    task.progress(0.5 + f / 2);
                });
                return (found.dataClusters() + found.compressedClusters()) << found.clusterBits();
            }
        });
    }

    /**
     * Commits the import's overlay into the VDI under its SR's lock, once sure that the VDI is still what the overlay was
     * made on: a snapshot or clone taken meanwhile made its image a read-only base copy, and a VM started meanwhile
     * writes it; either refuses the import (OTHER_OPERATION_IN_PROGRESS, VDI_IN_USE) and leaves the VDI to them.
     */
    private void commit(Ref<VDI> vdi, Staged staged) {
        managed.change(vdi, open -> {
            if (!records.activeVbds(vdi).isEmpty()) throw ApiError.of("VDI_IN_USE", vdi.value(), "import");
            if (!open.chain().attachment().layers().equals(staged.under())) {
                throw ApiError.of("OTHER_OPERATION_IN_PROGRESS", "VDI", vdi.value(), "snapshot", "");
            }
            SrStore dir = staged.chain().store();
            String top = staged.under().getFirst().file();
            if (staged.standsAlone() && dir instanceof LocalDir local && qemu.ownRanges(dir, top).isEmpty()) {
                try {
                    local.replaceDurably(staged.overlay(), top);
                } catch (IOException e) {
                    throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot put the import in place of " + dir.describe(top) + ": " + e.getMessage());
                }
                return null;
            }
            // written meanwhile (a VM started and stopped on it): the overlay goes over it after all, and into it
            if (staged.standsAlone()) qemu.rebaseUnsafe(dir, staged.overlay(), top);
            var chain = new ArrayList<Storage.Layer>(staged.chain().layers().subList(0, 1));
            chain.addAll(staged.under());
            qemu.commit(new Storage.Attachment(dir, chain, false));
            return null;
        });
    }

    /** Zeros go as NBD's write-zeroes, a cluster at a time, so a sparse stream leaves the image sparse. */
    private static VhdImport.Target checked(NbdPipeline nbd, TaskContext task) {
        return (offset, buf, off, len) -> {
            task.checkCancelled();
            nbd.writeSparse(offset, buf, off, len, ZERO_GRAIN);
        };
    }

    private static long copyRaw(ClientStream in, long declared, long size, VhdImport.Target nbd, TaskContext task, Ref<VDI> vdi) throws IOException {
        long limit = declared < 0 ? size : declared;
        byte[] buf = new byte[CHUNK];
        long at = 0;
        while (at < limit) {
            int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, limit - at));
            if (n == 0) break;
            nbd.write(at, buf, 0, n);
            at += n;
            task.progress((double) at / limit);
        }
        if (declared >= 0 && at < declared) throw new ClientStream.Gone("the stream ended at byte " + at + " of " + declared);
        if (declared < 0 && in.read() >= 0) throw ApiError.of("VDI_TOO_SMALL", vdi.value(), Long.toString(size + 1));
        return at;
    }

    /** A stream of a VDI ready to be sent: its length, known before the first byte, and the bytes. */
    public interface Export extends AutoCloseable {
        long length();

        void writeTo(OutputStream out, TaskContext task) throws IOException;

        /** Reads the disk's {@code len} bytes at {@code offset}, whatever the format: for a stream of one's own (XVA chunks). */
        void read(long offset, byte[] buf, int off, int len) throws IOException;

        @Override void close();
    }

    /** Opens {@code vdi} for export as {@code format}; for VHD its allocated blocks are found now, so the length is known. */
    public Export export(Ref<VDI> vdi, Format format) { return export(vdi, format, null); }

    /**
     * Opens {@code vdi} for export as {@code format} relative to {@code base} when not null, as XAPI's {@code base=}:
     * only the blocks in which the two may differ ({@link #differing}) are sent, as a differencing VHD or a qcow2 image
     * naming the base, or, raw, with zeros in the others. Which blocks is found now, so the length is known.
     */
    public Export export(Ref<VDI> vdi, Format format, Ref<VDI> base) {
        long size = db.require(vdi).get(VDI.virtual_size);
        if (format == Format.VHD && size > VhdExport.MAX_SIZE) throw ApiError.of("VDI_TOO_LARGE", vdi.value(), Long.toString(VhdExport.MAX_SIZE));
        Storage.Attachment chain = layers.of(vdi).attachment();
        BlockExports server = serve(readOnly(chain), false);
        try {
            NbdPipeline nbd = new NbdPipeline(NbdConnection.open(server.socket(), EXPORT), READS_AHEAD);
            // a live disk's blocks written after this are sent as they were now: an export of a running VM's disk is
            // no instant of it anyway, as XAPI's is not
            Body body = body(format, vdi, base, size, server.image(EXPORT));
            return new Export() {
                @Override public long length() { return body.length(); }

                @Override
                public void writeTo(OutputStream out, TaskContext task) throws IOException {
                    body.writer().write(nbd, out, fraction -> {
                        task.checkCancelled();
                        task.progress(fraction);
                    });
                }

                @Override
                public void read(long offset, byte[] buf, int off, int len) throws IOException { NbdPipeline.await(nbd.read(offset, buf, off, len)); }

                @Override
                public void close() {
                    try {
                        nbd.close();
                    } catch (IOException ignored) {
                        // the storage daemon is stopped next either way
                    }
                    server.close();
                }
            };
        } catch (IOException | RuntimeException e) {
            server.close();
            if (e instanceof RuntimeException r) throw r;
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot read " + chain.describe() + ": " + e.getMessage());
        }
    }

    /** An export's bytes: their length, known before the first, and how they are written from the disk. */
    private record Body(long length, Writer writer) {}

    @FunctionalInterface
    private interface Writer {
        void write(NbdPipeline disk, OutputStream out, DoubleConsumer progress) throws IOException;
    }

    /** The export of the disk served at {@code image} as {@code format}, whole or relative to {@code base}. */
    private Body body(Format format, Ref<VDI> vdi, Ref<VDI> base, long size, String image) {
        return switch (format) {
            case RAW -> {
                // the holes are sent from zeros of our own, not read
                BitSet blocks = base == null ? allocated(image, size, CHUNK) : differing(base, vdi, size, image, CHUNK);
                yield new Body(size, (disk, out, progress) -> writeRaw(new Readahead(disk, blocks, CHUNK, size, READS_AHEAD), size, blocks, out, progress));
            }
            case VHD -> {
                BitSet blocks = base == null ? allocated(image, size, CHUNK) : differing(base, vdi, size, image, CHUNK);
                var vhd = base == null ? new VhdExport(size, blocks) : new VhdExport(size, blocks, vhdParent(base));
                yield new Body(vhd.length(), (disk, out, progress) -> vhd.write(new Readahead(disk, blocks, CHUNK, size, READS_AHEAD), out, progress));
            }
            case QCOW2 -> {
                BitSet clusters = base == null ? allocated(image, size, Qcow2Export.CLUSTER) : differing(base, vdi, size, image, Qcow2Export.CLUSTER);
                var qcow2 = new Qcow2Export(size, clusters, base == null ? null : db.require(base).get(VDI.uuid));
                yield new Body(qcow2.length(), (disk, out, progress) -> {
                    var ahead = new Readahead(disk, clusters, Qcow2Export.CLUSTER, size, READS_AHEAD);
                    qcow2.write(ahead::read, out, progress);
                });
            }
        };
    }

    /** The whole virtual size: the 2 MiB blocks {@code blocks} names read from the disk, zeros in the others. */
    private static void writeRaw(Readahead disk, long size, BitSet blocks, OutputStream out, DoubleConsumer progress) throws IOException {
        byte[] buf = new byte[CHUNK];
        for (long at = 0; at < size; ) {
            int n = (int) Math.min(CHUNK, size - at);
            if (blocks.get((int) (at / CHUNK))) {
                disk.send(at, n, buf, out);
            } else {
                out.write(ZERO_CHUNK, 0, n);
            }
            at += n;
            progress.accept((double) at / size);
        }
    }

    private static Storage.Attachment readOnly(Storage.Attachment chain) { return new Storage.Attachment(chain.store(), chain.layers(), true); }

    /**
     * The units of {@code unit} bytes of {@code vdi}, served at {@code image}, in which it may differ from {@code base}:
     * those its layers and the base's do not share hold ({@link ChangedBlocks#differing}), or, where the SR keeps no
     * layers per snapshot or the two lie in different SRs, every unit that holds data in either. Whatever of the base
     * lies beyond the disk's size is not looked at, as vhd-tool looks only at the disk's own table.
     */
    private BitSet differing(Ref<VDI> base, Ref<VDI> vdi, long size, String image, long unit) {
        var ranges = changedBlocks.differing(base, vdi);
        if (ranges.isPresent()) {
            var units = new BitSet();
            for (long[] r : ranges.get()) mark(units, r[0], Math.min(size, r[0] + r[1]), unit);
            return units;
        }
        ChangedBlocks.requireData(db.require(base));
        BitSet units = allocated(image, size, unit);
        long baseSize = Math.min(size, db.require(base).get(VDI.virtual_size));
        try (BlockExports other = serve(readOnly(layers.of(base).attachment()), false)) {
            units.or(allocated(other.image(EXPORT), baseSize, unit));
        }
        return units;
    }

    /** Sets the units of {@code unit} bytes that bytes {@code from} to {@code end} (excluded) touch. */
    private static void mark(BitSet units, long from, long end, long unit) {
        if (end > from) units.set(Math.toIntExact(from / unit), Math.toIntExact((end - 1) / unit + 1));
    }

    /** The base as a differencing VHD's header names it: by its VDI's uuid, as the parent's file in an SR of VHDs is named. */
    private VhdFormat.Parent vhdParent(Ref<VDI> base) {
        String uuid = db.require(base).get(VDI.uuid);
        return new VhdFormat.Parent(UUID.fromString(uuid), System.currentTimeMillis() / 1000, uuid + ".vhd");
    }

    /** The units of {@code unit} bytes of the disk that hold data, as QEMU's block status over NBD reports them (qemu-img map). */
    private BitSet allocated(String image, long size, long unit) {
        var units = new BitSet();
        for (long start = 0; start < size; start += MAP_WINDOW) {
            try {
                for (JsonNode extent : JSON.readTree(qemu.map(image, start, Math.min(MAP_WINDOW, size - start)))) {
                    // what is neither data nor known zeros is read, to be sure
                    if (!extent.path("data").asBoolean() && extent.path("zero").asBoolean()) continue;
                    long from = extent.path("start").asLong();
                    mark(units, from, from + extent.path("length").asLong(), unit);
                }
            } catch (IOException e) {
                throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "qemu-img map: " + e.getMessage());
            }
        }
        return units;
    }

    static BlockExports serve(Storage.Attachment chain, boolean writable) { return start(exportNode(chain, writable), writable); }

    private static ObjectNode exportNode(Storage.Attachment chain, boolean writable) {
        ObjectNode node = QemuImg.node(chain).put("node-name", EXPORT);
        // a raw import's zeros become zero clusters, not written data
        if (writable) node.put("detect-zeroes", "on");
        // a running VM's QEMU holds its disk open for writing: an export reads it as it is, as XAPI reads a live disk
        else node.put("read-only", true).put("force-share", true);
        return node;
    }

    /**
     * Serves where an import writes. An overlay is a temporary that the commit copies from and makes durable in the
     * VDI, or that is forced to disk once before it takes the VDI's image's place: its own fsyncs (an NBD flush, the
     * storage daemon's exit) would write the stream to the disk twice, so they only hand it to the page cache
     * (cache.no-flush; its backing images, read-only here, inherit it to no effect).
     */
    private static BlockExports serve(Staged staged) {
        ObjectNode node = exportNode(staged.chain(), true);
        if (staged.overlay() != null) node.putObject("cache").put("no-flush", true);
        return start(node, true);
    }

    private static BlockExports start(ObjectNode node, boolean writable) {
        try {
            return BlockExports.start(List.of(node.toString()), List.of(new BlockExports.Export(EXPORT, EXPORT, writable)));
        } catch (IOException e) {
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while starting qemu-storage-daemon");
        }
    }

    /**
     * Where an import writes: a temporary overlay on a qcow2 VDI in a local directory, committed into the VDI at the
     * end; else the VDI's own chain ({@code overlay} null). {@code under} is the VDI's chain as it was when the import
     * began. A VDI of one image that holds nothing yet (the disk a client has just made to import into) gets an overlay
     * that stands alone, reading as the empty image does, and that takes the image's place at the end instead of being
     * copied into it: the import's data is written once, not twice.
     */
    private record Staged(Storage.Attachment chain, String overlay, List<Storage.Layer> under, boolean standsAlone) {
        static Staged of(Storage.Attachment vdi, long size, QemuImg qemu, boolean cbt) {
            if (!(vdi.store() instanceof LocalDir dir) || !vdi.format().equals("qcow2")) return new Staged(vdi, null, vdi.layers(), false);
            String overlay = HeldTemporaries.hold("import");
            // a CBT-tracked image keeps its bitmap in the file: it is written into, never replaced
            boolean alone = vdi.layers().size() == 1 && !cbt && qemu.ownRanges(dir, vdi.layers().getFirst().file()).isEmpty();
            qemu.create(dir, overlay, size, alone ? null : vdi.layers().getFirst().file());
            var layers = new ArrayList<Storage.Layer>();
            layers.add(new Storage.Layer(overlay, "qcow2"));
            if (!alone) layers.addAll(vdi.layers());
            return new Staged(new Storage.Attachment(dir, layers, false), overlay, vdi.layers(), alone);
        }

        void discard() {
            if (overlay == null) return;
            chain.store().deleteQuietly(overlay);
            HeldTemporaries.release(overlay);
        }
    }

    /** The request's body: what fails reading it is the client's doing (gone, or a body cut short), not the disk's. */
    private static final class ClientStream extends InputStream {
        static final class Gone extends IOException {
            Gone(String message) { super(message); }
        }

        private final InputStream in;

        ClientStream(InputStream in) { this.in = in; }

        @Override
        public int read() throws IOException {
            try { return in.read(); } catch (IOException e) { throw new Gone(e.toString()); }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try { return in.read(b, off, len); } catch (IOException e) { throw new Gone(e.toString()); }
        }
    }
}
