package org.flotilla.storage;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.flotilla.api.Refs;
import org.flotilla.model.xenapi.enums.StorageOperations;
import org.flotilla.model.xenapi.enums.VdiOperations;

/**
 * What one type of SR does on disk, as an SM driver does for XAPI: make, attach and destroy its
 * directory, name each VDI's image, and list the images it holds. Records are the {@link Storage}'s
 * business, not the driver's.
 */
public sealed interface SrDriver permits LocalFileSr, IsoSr, NfsSr, IscsiSr {

    /** SR.type, and SM.type. */
    String type();

    String defaultContentType();

    /** The image format QEMU opens the files with. */
    String format();

    /** Whether the SR makes and changes VDIs (create, destroy, resize, snapshot, clone, copy into). */
    boolean managesDisks();

    /**
     * Whether its VDIs are extents of one shared device, described by a table that one host at a time writes (the pool's
     * coordinator, {@link SrMaster}): no image chains, so no snapshot, clone or resize.
     */
    default boolean extents() { return false; }

    /** The SM record's descriptive fields: name_label, name_description, configuration, capabilities. */
    String smName();

    String smDescription();

    Map<String, String> smConfiguration();

    List<String> capabilities();

    /** SR.allowed_operations when attached. */
    List<StorageOperations> srOperations();

    /** VDI.allowed_operations of an ordinary (managed, leaf) VDI. */
    List<VdiOperations> vdiOperations();

    /** Where an SR of this type with this device_config keeps its files; SR_BACKEND_FAILURE if the device_config does not say. */
    SrStore store(Map<String, String> deviceConfig, String srUuid);

    /** SR.create: makes the SR on disk; true if it made the directory (and SR.destroy may remove it again). */
    boolean make(SrStore dir);

    /** PBD.plug: checks the SR can be reached. */
    void attach(SrStore dir);

    /** The name, directly inside the SR's directory, of the file of a VDI at {@code location}. */
    String fileName(String location);

    /** The images in the directory now, by location: those the SR cannot use too, with the reason. */
    Map<String, Found> scan(SrStore dir);

    /**
     * One image found on disk; {@code parent} is the location of the backing image its header names, or null;
     * {@code problem} why the SR will not use the file whatever its records say, or null.
     */
    record Found(String location, long virtualSize, long physicalUtilisation, String parent, String problem) {
        static Found refused(String location, String problem) { return new Found(location, 0, 0, null, problem); }
    }

    /** A name reserved for an image being made or removed; scans never adopt such names and remove leftovers. */
    static String temporary(String purpose) { return "." + Refs.newUuid() + "." + purpose + ".tmp"; }

    /**
     * Only names {@link #temporary} makes: the directory may be one the SR shares with other files (SR.create
     * on an existing directory), whose own dot files are not the SR's to remove.
     */
    Pattern TEMPORARY = Pattern.compile("\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.[a-z]+\\.tmp");

    static boolean isTemporary(String fileName) { return TEMPORARY.matcher(fileName).matches(); }
}
