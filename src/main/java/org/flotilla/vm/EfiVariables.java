package org.flotilla.vm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VM;

/**
 * A UEFI VM's variable store as VM.NVRAM:EFI-variables keeps it: base64 of the gzipped store, or of the raw store.
 * Values come from clients, and a few hundred KiB of gzip expand to gigabytes, so a value is expanded only up to the
 * largest store there is, and refused beyond it, before anything is written.
 */
public final class EfiVariables {
    /** The NVRAM key under which XAPI keeps the store. */
    public static final String KEY = "EFI-variables";
    /** Above any OVMF variable store: those of its 4 MiB builds are 528 KiB, its whole flash 4 MiB. */
    public static final int MAX_STORE_BYTES = 4 << 20;

    private EfiVariables() {}

    public static String encode(byte[] store) {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(store);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** The store, or VALUE_NOT_SUPPORTED if the value is not base64, not gzip, or larger than {@link #MAX_STORE_BYTES}. */
    public static byte[] decode(String value) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw refused("not base64: " + e.getMessage());
        }
        boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
        byte[] store = gzip ? gunzipAtMost(bytes, MAX_STORE_BYTES + 1) : bytes;
        if (store.length > MAX_STORE_BYTES) throw refused("a variable store is at most " + MAX_STORE_BYTES + " bytes, expanded");
        return store;
    }

    private static byte[] gunzipAtMost(byte[] gzip, int limit) {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readNBytes(limit);
        } catch (IOException e) {
            throw refused("not a gzip stream: " + e.getMessage());
        }
    }

    /** VALUE_NOT_SUPPORTED unless the NVRAM's store, if it has one, decodes within bounds. */
    public static void check(Map<String, String> nvram) {
        String value = nvram.get(KEY);
        if (value != null && !value.isEmpty()) decode(value);
    }

    private static ApiError refused(String reason) { return ApiError.of("VALUE_NOT_SUPPORTED", VM.NVRAM.name(), KEY, reason); }
}
