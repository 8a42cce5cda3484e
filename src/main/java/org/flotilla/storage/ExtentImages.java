package org.flotilla.storage;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.flotilla.model.ApiError;

/**
 * The crash-safety scheme of {@link Storage} on an SR of extents: an extent is allocated under a temporary name, filled,
 * then renamed to its VDI's uuid before the record is written. A crash leaves at worst a temporary extent, which the
 * coordinator's next scan frees.
 */
final class ExtentImages {
    private ExtentImages() {}

    /** Allocates an extent of at least {@code size} bytes, has {@code fill} write all of it, and names it {@code name}. */
    static String make(IscsiLun lun, String name, long size, Consumer<Storage.Attachment> fill) {
        String tmp = SrDriver.temporary("new");
        try {
            lun.allocate(tmp, size);
            fill.accept(new Storage.Attachment(lun, List.of(new Storage.Layer(tmp, new IscsiSr().format())), false));
            lun.rename(tmp, name);
            return name;
        } catch (IOException e) {
            lun.deleteQuietly(tmp);
            throw ApiError.of("SR_BACKEND_FAILURE", "1", "", "cannot make " + lun.describe(name) + ": " + e);
        } catch (RuntimeException e) {
            lun.deleteQuietly(tmp);
            throw e;
        }
    }
}
