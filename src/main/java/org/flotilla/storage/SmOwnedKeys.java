package org.flotilla.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The sm_config keys the SM writes and clients only read, as XAPI's SM backends own theirs: a client's
 * sm_config (VDI.create, VDI.introduce, SR.create, SR.introduce, set_/add_to_/remove_from_sm_config) never
 * adds, changes or removes one of them.
 *
 * <p>The chain is kept here, in sm_config:{@value Storage#PARENT_KEY}, and not in a record of the daemon's
 * own, on purpose. XAPI shows it there and Xen Orchestra draws chains from it, so the key must be written
 * anyway; a second, private copy would be one more thing to keep in step with it. The datamodel has no
 * private classes or fields (every stored field is served by get_record and event.from), so a private copy
 * would also mean teaching the metamodel, events, docs and xe to hide one. Instead the key has one writer,
 * this gate, and nothing the daemon does rests on it alone: attach checks every layer's header against it
 * ({@link VdiLayers}), and an image is unlinked only when no image header in the SR names it either
 * ({@link BackingNames}). A damaged key can make a disk refuse to attach, never open a host file or lose an
 * image another disk is built on.
 */
final class SmOwnedKeys {
    /** sm_config:image-format, the format the SM made the image in. */
    static final String IMAGE_FORMAT = "image-format";
    /** SR sm_config: the directory SR.create made for the SR (absent if the SR took one that was there), which SR.destroy may remove. */
    static final String MADE_DIRECTORY = "made-directory";

    static final SmOwnedKeys OF_VDI = new SmOwnedKeys(Set.of(Storage.PARENT_KEY, IMAGE_FORMAT, ChainMerges.INTENT));
    static final SmOwnedKeys OF_SR = new SmOwnedKeys(Set.of(MADE_DIRECTORY, CoalesceClaim.BY, CoalesceClaim.UNTIL));

    private final Set<String> keys;

    private SmOwnedKeys(Set<String> keys) { this.keys = keys; }

    boolean owned(String key) { return keys.contains(key); }

    /** What a client gave, without the SM's keys. */
    Map<String, String> clientPart(Map<String, String> given) {
        var m = new LinkedHashMap<>(given);
        m.keySet().removeAll(keys);
        return Collections.unmodifiableMap(m);
    }

    /** A client's new sm_config for an object: its own keys as given, the SM's kept as they are now. */
    Map<String, String> replaceClientPart(Map<String, String> current, Map<String, String> given) {
        var m = new LinkedHashMap<>(clientPart(given));
        for (String k : keys) if (current.containsKey(k)) m.put(k, current.get(k));
        return Collections.unmodifiableMap(m);
    }
}
