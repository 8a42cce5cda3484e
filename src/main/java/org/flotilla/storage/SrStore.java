package org.flotilla.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * The directory an SR keeps its files in, as the storage works on it by name: a directory of this host's file system
 * ({@link LocalDir}) or one on an NFS export that the daemon and QEMU reach in userspace ({@link NfsDir}). Every
 * name is a plain file name directly inside the directory (SrFiles.requirePlainName); nothing is ever followed.
 */
public sealed interface SrStore permits LocalDir, NfsDir, IscsiLun {
    /** The directory, for messages and for SR.destroy's record of what SR.create made. */
    String where();

    default String describe(String name) { return where() + "/" + SrFiles.requirePlainName(name); }

    /** The names in the directory. */
    List<String> names() throws IOException;

    /** What a name is, without following a link. */
    SrFiles.Entry entry(String name) throws IOException;

    /** The qcow2 header of a regular file there, read by the daemon itself (never by a tool that would follow it). */
    Qcow2Header header(String name) throws IOException, Qcow2Header.Malformed;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}. */
    void rename(String from, String to) throws IOException;

    /** A second name for a file (a hard link): a snapshot's base copy is the image it was. */
    void link(String existing, String name) throws IOException;

    /** Removes a file; nothing if it is not there. */
    void delete(String name) throws IOException;

    /** Makes a file the tools made readable and writable by its owner alone. */
    void restrictToOwner(String name) throws IOException;

    /** The file system's size and what is free on it. */
    Space space() throws IOException;

    record Space(long total, long free) {}

    /** Removes the directory itself if it is empty; what is left in it stays. */
    void removeIfEmpty() throws IOException;

    /** The protocol node through which qemu-img opens a file here ({@code json:} image descriptions). */
    ObjectNode fileNode(String name);

    /** What qemu-img is told to write a new image to. */
    String target(String name);

    default void deleteQuietly(String name) {
        try {
            delete(name);
        } catch (IOException e) {
            System.getLogger(Storage.class.getName()).log(System.Logger.Level.WARNING, "cannot remove " + describe(name) + ": " + e);
        }
    }

    /** A file's size, or 0 if it cannot be read: for physical_utilisation, which a scan corrects. */
    default long sizeOf(String name) {
        try {
            return entry(name).size();
        } catch (IOException e) {
            return 0;
        }
    }
}
