package org.flotilla.host.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.vm.VmLifecycle;

/**
 * Virtual TPMs (XAPI's xapi_vtpm.ml): VTPM.create and VTPM.destroy, and where each one's state lives. XAPI
 * keeps a vTPM's contents in its database as a secret and hands them to swtpm at start; here the state is a
 * directory of swtpm's own under {@code <state>/vtpm/<vtpm-uuid>/}, readable only by QEMU's user, kept across
 * boots and removed with the VTPM (or, for a VTPM that went with VM.destroy, when the host agent next starts).
 */
final class Vtpms {
    static final String FEATURE = "restrict_vtpm";

    private final Database db;
    private final Path root;
    private final QemuFiles files;
    private final QemuUser user;

    Vtpms(Database db, Path stateDir, QemuFiles files, QemuUser user) {
        this.db = db;
        this.root = stateDir.resolve("vtpm");
        this.files = files;
        this.user = user;
    }

    Path stateDir(String vtpmUuid) { return root.resolve(vtpmUuid); }

    /** VTPM.create: the feature, one VTPM per VM, and a halted VM, checked in XAPI's order. */
    String create(String vmRef, boolean isUnique) {
        String ref = Refs.newRef();
        db.write(tx -> {
            DbObject vm = db.require("VM", vmRef);
            for (DbObject pool : db.all("pool")) {
                if (!"false".equals(pool.<String, String>map("restrictions").get(FEATURE))) throw ApiError.of("FEATURE_RESTRICTED", FEATURE);
            }
            List<String> existing = db.related("VM", "VTPMs", vmRef);
            if (!existing.isEmpty()) throw ApiError.of("VTPM_MAX_AMOUNT_REACHED", Integer.toString(existing.size()));
            requirePowerState(vm, "Halted");
            var f = new LinkedHashMap<String, Object>();
            db.model().classDef("VTPM").fields().values().forEach(fd -> { if (!fd.derived()) f.put(fd.name(), fd.defaultValue()); });
            f.put("uuid", Refs.newUuid());
            f.put("VM", vmRef);
            f.put("is_unique", isUnique);
            f.put("allowed_operations", allowedOperations(vm.string("power_state")));
            tx.put("VTPM", ref, f);
        });
        return ref;
    }

    /** VTPM.destroy: only while its VM does not run; its state goes with it. */
    void destroy(String vtpmRef) {
        String uuid = db.writeReturning(tx -> {
            DbObject vtpm = db.require("VTPM", vtpmRef);
            requirePowerState(db.require("VM", vtpm.string("VM")), "Halted", "Suspended");
            tx.delete("VTPM", vtpmRef);
            return vtpm.uuid();
        });
        HostFiles.deleteTree(stateDir(uuid));
    }

    /** The TPM QEMU gets for the VM (its first VTPM; XAPI allows one), its state directory made; null for none. */
    QemuCommand.Tpm of(String vmRef, Path runDir) {
        List<String> refs = db.related("VM", "VTPMs", vmRef);
        if (refs.isEmpty()) return null;
        Path state = stateDir(db.require("VTPM", refs.getFirst()).uuid());
        try {
            files.ownDirectory(root);
            if (!Files.isDirectory(state)) {
                Files.createDirectory(state, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setOwner(state, user.principal());
        } catch (IOException e) {
            throw ApiError.internal("cannot make the vTPM state directory " + state + ": " + e);
        }
        return new QemuCommand.Tpm(state, runDir.resolve("swtpm.sock"));
    }

    /** Removes the state of VTPMs that no longer exist (those VM.destroy took with it). */
    void sweep() {
        if (!Files.isDirectory(root)) return;
        Set<String> live = db.all("VTPM").stream().map(DbObject::uuid).collect(Collectors.toSet());
        try (var dirs = Files.list(root)) {
            for (Path d : dirs.toList()) if (!live.contains(d.getFileName().toString())) HostFiles.deleteTree(d);
        } catch (IOException ignored) {
            // the next start sweeps again
        }
    }

    /** XAPI: a VTPM may be destroyed only while its VM is halted. */
    static List<String> allowedOperations(String vmPowerState) {
        return "Halted".equals(vmPowerState) ? List.of("destroy") : List.of();
    }

    /** Stages the VTPMs' allowed_operations for their VM going to {@code power}. */
    static void stageAllowed(Database db, Database.Tx tx, String vmRef, String power) {
        for (String t : db.related("VM", "VTPMs", vmRef)) tx.set("VTPM", t, "allowed_operations", allowedOperations(power));
    }

    /** XAPI's assert_initial_power_state_in: VM_BAD_POWER_STATE with the allowed states joined by ";". */
    private static void requirePowerState(DbObject vm, String... allowed) {
        String actual = vm.string("power_state");
        if (List.of(allowed).contains(actual)) return;
        throw ApiError.of("VM_BAD_POWER_STATE", vm.ref(),
                String.join(";", List.of(allowed).stream().map(VmLifecycle::lower).toList()), VmLifecycle.lower(actual));
    }
}
