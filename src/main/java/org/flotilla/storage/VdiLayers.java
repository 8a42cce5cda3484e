package org.flotilla.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.VDI;

/**
 * A VDI's chain of images as the SR's records give it (sm_config:{@value Storage#PARENT_KEY}, from the VDI down
 * through its base copies), each layer checked against the image on disk before anything opens it: a regular
 * file, not a link; a header the daemon accepts; and naming as its backing file exactly the next layer's
 * image, or none at the bottom. Headers are never followed: a header that disagrees with the records makes
 * the VDI refuse to attach.
 */
final class VdiLayers {
    /** Far more layers than snapshots make: a bound on a walk through records, which a cycle would make endless. */
    static final int MAX_LAYERS = 128;

    private final Database db;
    private final SrDrivers drivers;
    private final SrDirectories dirs;

    VdiLayers(Database db, SrDrivers drivers, SrDirectories dirs) {
        this.db = db;
        this.drivers = drivers;
        this.dirs = dirs;
    }

    /** The checked chain, and the virtual size its top image's header gives. */
    record Verified(Storage.Attachment attachment, long virtualSize) {}

    Verified of(Ref<VDI> ref) {
        DbObject<VDI> vdi = db.require(ref);
        Ref<SR> sr = vdi.get(VDI.SR);
        SrDriver d = drivers.of(db.require(sr));
        return of(vdi, d, dirs.attached(sr));
    }

    Verified of(DbObject<VDI> vdi, SrDriver d, SrStore dir) {
        boolean readOnly = vdi.get(VDI.read_only) || !d.managesDisks();
        try {
            return d.managesDisks() && !d.extents() ? chain(vdi, d, dir, readOnly) : single(vdi, d, dir, readOnly);
        } catch (IOException e) {
            throw refused(vdi, "its images cannot be read: " + e.getMessage());
        }
    }

    /** An ISO, or an extent: one raw file. */
    private Verified single(DbObject<VDI> vdi, SrDriver d, SrStore dir, boolean readOnly) throws IOException {
        String name = d.fileName(vdi.get(VDI.location));
        if (!SrFiles.isPlainName(name)) throw refused(vdi, Quoted.of(name) + " is not a file name");
        SrFiles.Entry e = present(vdi, dir.entry(name));
        return new Verified(new Storage.Attachment(dir, List.of(new Storage.Layer(name, d.format())), readOnly), e.size());
    }

    private Verified chain(DbObject<VDI> top, SrDriver d, SrStore dir, boolean readOnly) throws IOException {
        var layers = new ArrayList<Storage.Layer>();
        var seen = new HashSet<String>();
        long virtualSize = -1;
        DbObject<VDI> v = top;
        while (true) {
            String name = d.fileName(v.get(VDI.location));
            if (!LocalFileSr.isImageName(name)) throw refused(top, Quoted.of(name) + " is not an image name of this SR");
            if (!seen.add(name)) throw refused(top, "its chain runs in a circle at " + name);
            if (layers.size() == MAX_LAYERS) throw refused(top, "its chain is longer than " + MAX_LAYERS + " images");
            present(v, dir.entry(name));
            Qcow2Header h;
            try {
                h = dir.header(name);
            } catch (Qcow2Header.Malformed m) {
                throw refused(top, name + ": " + m.getMessage());
            }
            if (h.refusal() != null) throw refused(top, name + ": " + h.refusal());
            String parent = VdiRecords.parentOf(v);
            String expected = parent == null ? null : d.fileName(parent);
            if (!Objects.equals(h.backingFile(), expected)) {
                throw refused(top, name + " names backing file " + (h.backingFile() == null ? "none" : Quoted.of(h.backingFile()))
                        + " where the SR's records have " + (expected == null ? "none" : expected));
            }
            if (virtualSize < 0) virtualSize = h.virtualSize();
            layers.add(new Storage.Layer(name, d.format()));
            if (parent == null) break;
            v = db.referring(VDI.SR, v.get(VDI.SR)).stream().filter(o -> parent.equals(o.get(VDI.location))).findFirst()
                    .orElseThrow(() -> refused(top, "its image " + expected + " is not a VDI of this SR"));
        }
        return new Verified(new Storage.Attachment(dir, layers, readOnly), virtualSize);
    }

    /** VDI_MISSING if the file is gone, as for an image removed by hand; refused if it is anything but a regular file. */
    private static SrFiles.Entry present(DbObject<VDI> v, SrFiles.Entry e) {
        if (e.kind() == SrFiles.Entry.Kind.ABSENT) throw ApiError.of("VDI_MISSING", v.get(VDI.SR).value(), v.ref());
        if (!e.isRegular()) throw refused(v, e.name() + ": " + e.problem());
        return e;
    }

    private static ApiError refused(DbObject<VDI> vdi, String why) {
        return SmFailure.VDI_UNAVAILABLE.error("VDI " + vdi.uuid() + " cannot be attached: " + why);
    }
}
