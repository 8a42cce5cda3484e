package org.flotilla.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one type of SR does on disk, as an SM driver does for XAPI: make, attach and destroy its
 * directory, name each VDI's image, and list the images it holds. Records are the {@link Storage}'s
 * business, not the driver's.
 */
public sealed interface SrDriver permits LocalFileSr, IsoSr {

    /** SR.type, and SM.type. */
    String type();

    String defaultContentType();

    /** The image format QEMU opens the files with. */
    String format();

    /** Whether the SR makes and changes VDIs (create, destroy, resize, snapshot, clone, copy into). */
    boolean managesDisks();

    /** The SM record's descriptive fields: name_label, name_description, configuration, capabilities. */
    String smName();

    String smDescription();

    Map<String, String> smConfiguration();

    List<String> capabilities();

    /** SR.allowed_operations when attached. */
    List<String> srOperations();

    /** VDI.allowed_operations of an ordinary (managed, leaf) VDI. */
    List<String> vdiOperations();

    /** SR.create: makes the SR on disk. */
    void make(Path dir);

    /** PBD.plug: checks the SR can be reached. */
    void attach(Path dir);

    /** The image file of a VDI at {@code location}. */
    Path file(Path dir, String location);

    /** The images in the directory now, by location. */
    Map<String, Found> scan(Path dir);

    /** One image found on disk; {@code parent} is the location of its backing image, or null. */
    record Found(String location, long virtualSize, long physicalUtilisation, String parent) {}

    /** A name reserved for an image being made or removed; scans never adopt such names and remove leftovers. */
    static Path temporary(Path dir, String name, String purpose) { return dir.resolve("." + name + "." + purpose + ".tmp"); }

    static boolean isTemporary(String fileName) { return fileName.startsWith(".") && fileName.endsWith(".tmp"); }
}
