package org.flotilla.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The names of the variables an OVMF variable store holds (what XCP-ng's varstore-ls lists): a firmware volume whose
 * variable store header is followed by the variables, each a header, its UTF-16 name and its data, 4-byte aligned.
 * Stores come from clients (VM.NVRAM), so every length is checked against the store; what cannot be read ends the list.
 */
public final class UefiVariableStore {
    private static final int FV_SIGNATURE_AT = 40;
    private static final int FV_HEADER_LENGTH_AT = 48;
    private static final int STORE_HEADER_BYTES = 28;
    /** The first bytes of the authenticated store's GUID (aaf32c78-947b-439a-a180-2e144ec37792), little-endian. */
    private static final int AUTHENTICATED_STORE = 0xaaf32c78;
    private static final int START_ID = 0x55aa;
    private static final int AUTHENTICATED_HEADER_BYTES = 60;
    private static final int PLAIN_HEADER_BYTES = 32;
    private static final int ADDED = 0x3f;
    /** Added, and being replaced by a newer copy that may not have been written whole: still the variable's value. */
    private static final int ADDED_IN_DELETE_TRANSITION = 0x3e;

    private UefiVariableStore() {}

    /** The names of the live variables of {@code store}; empty if it is no OVMF variable store. */
    public static Set<String> names(byte[] store) {
        var names = new LinkedHashSet<String>();
        ByteBuffer b = ByteBuffer.wrap(store).order(ByteOrder.LITTLE_ENDIAN);
        if (store.length < FV_HEADER_LENGTH_AT + 2 || b.getInt(FV_SIGNATURE_AT) != 0x4856465f /* "_FVH" */) return names;
        int storeAt = Short.toUnsignedInt(b.getShort(FV_HEADER_LENGTH_AT));
        if (storeAt + STORE_HEADER_BYTES > store.length) return names;
        int header = b.getInt(storeAt) == AUTHENTICATED_STORE ? AUTHENTICATED_HEADER_BYTES : PLAIN_HEADER_BYTES;
        int at = align(storeAt + STORE_HEADER_BYTES);
        while (at + header <= store.length && Short.toUnsignedInt(b.getShort(at)) == START_ID) {
            int state = Byte.toUnsignedInt(b.get(at + 2));
            long nameSize = Integer.toUnsignedLong(b.getInt(at + header - 24));
            long dataSize = Integer.toUnsignedLong(b.getInt(at + header - 20));
            long end = at + header + nameSize + dataSize;
            if (end > store.length) break;
            if (state == ADDED || state == ADDED_IN_DELETE_TRANSITION) {
                String name = new String(store, at + header, (int) nameSize, StandardCharsets.UTF_16LE);
                int nul = name.indexOf('\0');
                names.add(nul < 0 ? name : name.substring(0, nul));
            }
            at = align((int) end);
        }
        return names;
    }

    private static int align(int offset) { return (offset + 3) & ~3; }
}
