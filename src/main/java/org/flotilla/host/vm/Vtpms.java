package org.flotilla.host.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.flotilla.api.Refs;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.AtomicFile;
import org.flotilla.model.ApiError;
import org.flotilla.vm.VmLifecycle;

/**
 * Virtual TPMs (XAPI's xapi_vtpm.ml): VTPM.create, VTPM.destroy, get_contents and set_contents. As in XAPI a
 * vTPM's contents live in the database, in the secret VTPM.contents names (base64 of swtpm's state file), so
 * that clone, copy and any host carry them. While the VM runs, swtpm works on a directory of its own under
 * {@code <state>/vtpm/<vtpm-uuid>/}, made anew before each boot from the secret and given to that boot's jail
 * user (see {@link VmJails}), read back into the secret when the VM stops; removed with the VTPM (or, for a
 * VTPM that went with VM.destroy, by a sweep).
 */
final class Vtpms {
    static final String FEATURE = "restrict_vtpm";
    /** The file in which swtpm keeps a TPM 2.0's permanent state (its NV indices, seeds, hierarchies). */
    static final String STATE_FILE = "tpm2-00.permall";

    private final Database db;
    private final Path root;

    Vtpms(Database db, Path stateDir) {
        this.db = db;
        this.root = stateDir.resolve("vtpm");
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
            f.put("contents", newSecret(tx, ""));
            tx.put("VTPM", ref, f);
        });
        return ref;
    }

    /** VTPM.destroy: only while its VM does not run; its state goes with it. */
    void destroy(String vtpmRef) {
        String uuid = db.writeReturning(tx -> {
            DbObject vtpm = db.require("VTPM", vtpmRef);
            requirePowerState(db.require("VM", vtpm.string("VM")), "Halted", "Suspended");
            deleteSecret(tx, vtpm);
            tx.delete("VTPM", vtpmRef);
            return vtpm.uuid();
        });
        HostFiles.deleteTree(stateDir(uuid));
    }

    /** VTPM.get_contents: the saved state, base64-encoded ("" before the first boot). */
    String contents(String vtpmRef) {
        DbObject secret = secretOf(db.require("VTPM", vtpmRef));
        return secret == null ? "" : secret.string("value");
    }

    /** Above any swtpm TPM 2.0 state file: their NV memory is 128 KiB at most. */
    static final int MAX_STATE_BYTES = 1 << 20;

    /** VTPM.set_contents: new contents (base64, checked) in a new secret, the old one destroyed, as XAPI does. */
    void setContents(String vtpmRef, String contents) {
        if (contents.length() / 4 * 3 > MAX_STATE_BYTES) {
            throw ApiError.of("VALUE_NOT_SUPPORTED", "contents", contents.length() + " base64 characters",
                    "a vTPM's state is at most " + MAX_STATE_BYTES + " bytes");
        }
        try {
            Base64.getDecoder().decode(contents);
        } catch (IllegalArgumentException e) {
            throw ApiError.internal("the contents are not base64: " + e.getMessage());
        }
        db.write(tx -> {
            DbObject vtpm = db.require("VTPM", vtpmRef);
            deleteSecret(tx, vtpm);
            tx.set("VTPM", vtpm.ref(), "contents", newSecret(tx, contents));
        });
    }

    /**
     * The TPM QEMU gets for the VM (its first VTPM; XAPI allows one), its state directory made anew with the
     * state file from the VTPM's secret (or, if the secret is still empty, the one the last run left); null for
     * none. The directory starts empty of anything a previous boot's jail user made.
     */
    QemuCommand.Tpm of(String vmRef) {
        List<String> refs = db.related("VM", "VTPMs", vmRef);
        if (refs.isEmpty()) return null;
        DbObject vtpm = db.require("VTPM", refs.getFirst());
        Path state = stateDir(vtpm.uuid());
        Path file = state.resolve(STATE_FILE);
        try {
            String kept = contents(vtpm.ref());
            byte[] bytes = !kept.isEmpty() ? Base64.getDecoder().decode(kept)
                    : Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(file) : null;
            Files.createDirectories(root);
            HostFiles.deleteTree(state);
            Files.createDirectory(state, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (bytes != null) {
                AtomicFile.write(file, bytes);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw ApiError.internal("cannot make the vTPM state directory " + state + ": " + e.getMessage());
        }
        return new QemuCommand.Tpm(state);
    }

    /** What swtpm left for each of the VM's VTPMs, base64-encoded, by VTPM ref (those without a state file left out). */
    Map<String, String> read(String vmRef) {
        var out = new LinkedHashMap<String, String>();
        for (String ref : db.related("VM", "VTPMs", vmRef)) {
            Path file = stateDir(db.require("VTPM", ref).uuid()).resolve(STATE_FILE);
            try {
                if (Files.isRegularFile(file)) out.put(ref, Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
            } catch (IOException e) {
                System.getLogger(Vtpms.class.getName()).log(System.Logger.Level.WARNING, "cannot read the vTPM state " + file + ": " + e);
            }
        }
        return out;
    }

    /** Stages what {@link #read} found into the VTPMs' secrets (making one for a VTPM without). */
    void stage(Database.Tx tx, Map<String, String> states) {
        states.forEach((ref, value) -> {
            DbObject vtpm = db.get("VTPM", ref);
            if (vtpm == null) return;
            DbObject secret = secretOf(vtpm);
            if (secret == null) tx.set("VTPM", ref, "contents", newSecret(tx, value));
            else if (!value.equals(secret.string("value"))) tx.set("secret", secret.ref(), "value", value);
        });
    }

    private DbObject secretOf(DbObject vtpm) {
        String ref = vtpm.string("contents");
        return Refs.isNull(ref) ? null : db.get("secret", ref);
    }

    private String newSecret(Database.Tx tx, String value) {
        String ref = Refs.newRef();
        tx.put("secret", ref, Map.of("uuid", Refs.newUuid(), "value", value, "other_config", Map.of()));
        return ref;
    }

    private void deleteSecret(Database.Tx tx, DbObject vtpm) {
        DbObject secret = secretOf(vtpm);
        if (secret != null) tx.delete("secret", secret.ref());
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
