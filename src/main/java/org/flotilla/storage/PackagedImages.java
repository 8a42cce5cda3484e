package org.flotilla.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.function.Function;
import org.flotilla.model.ApiError;
import org.flotilla.storage.qcow2.Qcow2Tables;

/**
 * The disk images of an uploaded package (an OVA's VMDKs, or qcow2), each placed by the daemon in a staging directory
 * of its own, made ready for qemu-img: the format is decided here from the file's own bytes (never probed by QEMU), and
 * the image is described to qemu-img in full, so QEMU opens no file but those the daemon placed. A VMDK whose
 * descriptor names extents is given a descriptor written here, naming the staged copies of those extents by the
 * daemon's own names; a qcow2 or VMDK that names a backing or parent file is refused, as is a VMDK extent named
 * outside the package. An imported image never reads a host file. Every refusal is IMPORT_ERROR.
 */
public final class PackagedImages {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An image as qemu-img opens it, its virtual size, and what it was found to be (for messages). */
    public record Source(ObjectNode node, long virtualSize, String format) {}

    private PackagedImages() {}

    /**
     * The image staged at {@code file}, {@code name} in the package. {@code staged} gives the staged file of another
     * name of the package (null when the package has none), for a descriptor's extents; {@code scratch} is the caller's
     * directory where a rewritten descriptor is put, as {@code <file's name>.vmdk}.
     */
    public static Source inspect(String name, Path file, Function<String, Path> staged, Path scratch) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer first = ByteBuffer.allocate(4);
            ch.read(first, 0);
            first.flip();
            int magic = VmdkImage.magic(first);
            if (magic == VmdkImage.SPARSE_MAGIC) return new Source(vmdk(file), VmdkImage.sparseCapacity(ch), "vmdk (sparse)");
            if (magic == VmdkImage.COWD_MAGIC) throw refused(name, "an ESX 2 sparse VMDK (COWD), which is not imported");
            if (first.limit() == 4 && first.order(java.nio.ByteOrder.BIG_ENDIAN).getInt(0) == Qcow2Header.MAGIC) return qcow2(name, file, ch);
            if (ch.size() <= VmdkImage.MAX_DESCRIPTOR) {
                String text = Files.readString(file, StandardCharsets.ISO_8859_1);
                if (text.contains("createType")) return textVmdk(name, text, staged, scratch, file);
            }
            throw refused(name, "neither a VMDK nor a qcow2 image");
        } catch (VmdkImage.Refused e) {
            throw refused(name, e.getMessage());
        } catch (IOException e) {
            throw ApiError.of("IMPORT_ERROR", "cannot read " + name + ": " + e.getMessage());
        }
    }

    private static Source qcow2(String name, Path file, FileChannel ch) throws IOException {
        try {
            Qcow2Header h = UntrustedImages.qcow2Header(ch);
            Qcow2Tables.check(ch);
            return new Source(UntrustedImages.pinned("qcow2", fileNode(file)), h.virtualSize(), "qcow2");
        } catch (UntrustedImages.Refused | Qcow2Tables.Broken e) {
            throw refused(name, "a qcow2 image that is not imported: " + e.getMessage());
        }
    }

    private static Source textVmdk(String name, String text, Function<String, Path> staged, Path scratch, Path file)
            throws IOException, VmdkImage.Refused {
        VmdkImage.Descriptor d = VmdkImage.parse(text);
        if (!VmdkImage.TEXT_TYPES.contains(d.createType())) throw new VmdkImage.Refused("a VMDK of createType " + d.createType() + ", which is not imported");
        if (d.extents().isEmpty()) throw new VmdkImage.Refused("a VMDK descriptor without extents");
        var renamed = new ArrayList<String>();
        for (VmdkImage.Extent e : d.extents()) {
            if (!e.hasFile()) {
                renamed.add(null);
                continue;
            }
            String extentName = VmdkImage.packageName(e.file());
            // an extent is a file beside the descriptor: named from the descriptor's own directory in the package
            int slash = name.lastIndexOf('/');
            Path extent = staged.apply(slash < 0 ? extentName : name.substring(0, slash + 1) + extentName);
            if (extent == null) throw new VmdkImage.Refused("an extent names " + e.file() + ", which the package does not hold");
            if (e.type().equals("SPARSE")) {
                try (FileChannel ch = FileChannel.open(extent, StandardOpenOption.READ)) {
                    VmdkImage.sparseCapacity(ch);
                }
            }
            if (!extent.getParent().equals(scratch)) throw new IllegalArgumentException("staged files must lie in " + scratch);
            renamed.add(extent.getFileName().toString());
        }
        Path descriptor = scratch.resolve(file.getFileName() + ".vmdk");
        Files.writeString(descriptor, VmdkImage.rewrite(d, renamed), StandardCharsets.US_ASCII);
        return new Source(vmdk(descriptor), d.capacity(), "vmdk (" + d.createType() + ")");
    }

    private static ObjectNode vmdk(Path file) { return UntrustedImages.pinned("vmdk", fileNode(file)); }

    private static ObjectNode fileNode(Path file) { return JSON.createObjectNode().put("driver", "file").put("filename", file.toString()); }

    private static ApiError refused(String name, String why) { return ApiError.of("IMPORT_ERROR", name + ": " + why); }
}
