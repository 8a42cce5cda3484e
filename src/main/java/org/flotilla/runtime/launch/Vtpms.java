package org.flotilla.runtime.launch;

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
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Pool;
import org.flotilla.model.xenapi.Secret;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.model.xenapi.enums.VmPowerState;
import org.flotilla.model.xenapi.enums.VtpmOperations;
import org.flotilla.runtime.domain.HostFiles;
import org.flotilla.vm.VmLifecycle;

/**
 * Virtual TPMs (XAPI's xapi_vtpm.ml): VTPM.create, VTPM.destroy, get_contents and set_contents. As in XAPI a
 * vTPM's contents live in the database, in the secret VTPM.contents names (base64 of swtpm's state file), so
 * that clone, copy and any host carry them. While the VM runs, swtpm works on a directory of its own under
 * {@code <state>/vtpm/<vtpm-uuid>/}, made anew before each boot from the secret and given to that boot's jail
 * user (see {@link VmJails}), read back into the secret when the VM stops; removed with the VTPM (or, for a
 * VTPM that went with VM.destroy, by a sweep).
 */
public final class Vtpms {
    static final String FEATURE = "restrict_vtpm";
    /** The file in which swtpm keeps a TPM 2.0's permanent state (its NV indices, seeds, hierarchies). */
    public static final String STATE_FILE = "tpm2-00.permall";

    private final Database db;
    private final Path root;

    public Vtpms(Database db, Path stateDir) {
        this.db = db;
        this.root = stateDir.resolve("vtpm");
    }

    Path stateDir(String vtpmUuid) { return root.resolve(vtpmUuid); }

    /** VTPM.create: the feature, one VTPM per VM, and a halted VM, checked in XAPI's order. */
    public Ref<VTPM> create(Ref<VM> vm, boolean isUnique) {
        Ref<VTPM> ref = Refs.newRef(VTPM.CLASS);
        db.write(tx -> {
            DbObject<VM> record = db.require(vm);
            for (DbObject<Pool> pool : db.all(Pool.CLASS)) {
                if (!"false".equals(pool.get(Pool.restrictions).get(FEATURE))) throw ApiError.of("FEATURE_RESTRICTED", FEATURE);
            }
            List<Ref<VTPM>> existing = db.related(vm, VM.VTPMs);
            if (!existing.isEmpty()) throw ApiError.of("VTPM_MAX_AMOUNT_REACHED", Integer.toString(existing.size()));
            requirePowerState(record, VmPowerState.Halted);
            var r = db.newRecord(VTPM.CLASS)
                    .set(VTPM.uuid, Refs.newUuid())
                    .set(VTPM.VM, vm)
                    .set(VTPM.is_unique, isUnique)
                    .set(VTPM.allowed_operations, allowedOperations(record.get(VM.power_state)))
                    .set(VTPM.contents, newSecret(tx, ""));
            tx.put(ref, r);
        });
        return ref;
    }

    /** VTPM.destroy: only while its VM does not run; its state goes with it. */
    public void destroy(Ref<VTPM> self) {
        String uuid = db.writeReturning(tx -> {
            DbObject<VTPM> vtpm = db.require(self);
            requirePowerState(db.require(vtpm.get(VTPM.VM)), VmPowerState.Halted, VmPowerState.Suspended);
            deleteSecret(tx, vtpm);
            tx.delete(self);
            return vtpm.get(VTPM.uuid);
        });
        HostFiles.deleteTree(stateDir(uuid));
    }

    /** VTPM.get_contents: the saved state, base64-encoded ("" before the first boot). */
    public String contents(Ref<VTPM> self) {
        DbObject<Secret> secret = secretOf(db.require(self));
        return secret == null ? "" : secret.get(Secret.value);
    }

    /** Above any swtpm TPM 2.0 state file: their NV memory is 128 KiB at most. */
    static final int MAX_STATE_BYTES = 1 << 20;

    /** VTPM.set_contents: new contents (base64, checked) in a new secret, the old one destroyed, as XAPI does. */
    public void setContents(Ref<VTPM> self, String contents) {
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
            DbObject<VTPM> vtpm = db.require(self);
            deleteSecret(tx, vtpm);
            tx.set(self, VTPM.contents, newSecret(tx, contents));
        });
    }

    /**
     * The TPM QEMU gets for the VM (its first VTPM; XAPI allows one), its state directory made anew with the
     * state file from the VTPM's secret (or, if the secret is still empty, the one the last run left); null for
     * none. The directory starts empty of anything a previous boot's jail user made.
     */
    QemuCommand.Tpm of(Ref<VM> vm) {
        List<Ref<VTPM>> refs = db.related(vm, VM.VTPMs);
        if (refs.isEmpty()) return null;
        Ref<VTPM> vtpm = refs.getFirst();
        Path state = stateDir(db.require(vtpm).get(VTPM.uuid));
        Path file = state.resolve(STATE_FILE);
        try {
            String kept = contents(vtpm);
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

    /** What swtpm left for each of the VM's VTPMs, base64-encoded (those without a state file left out). */
    public Map<Ref<VTPM>, String> read(Ref<VM> vm) {
        var out = new LinkedHashMap<Ref<VTPM>, String>();
        for (Ref<VTPM> ref : db.related(vm, VM.VTPMs)) {
            Path file = stateDir(db.require(ref).get(VTPM.uuid)).resolve(STATE_FILE);
            try {
                if (Files.isRegularFile(file)) out.put(ref, Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
            } catch (IOException e) {
                System.getLogger(Vtpms.class.getName()).log(System.Logger.Level.WARNING, "cannot read the vTPM state " + file + ": " + e);
            }
        }
        return out;
    }

    /** Stages what {@link #read} found into the VTPMs' secrets (making one for a VTPM without). */
    public void stage(Database.Tx tx, Map<Ref<VTPM>, String> states) {
        states.forEach((ref, value) -> {
            DbObject<VTPM> vtpm = db.get(ref);
            if (vtpm == null) return;
            DbObject<Secret> secret = secretOf(vtpm);
            if (secret == null) tx.set(ref, VTPM.contents, newSecret(tx, value));
            else if (!value.equals(secret.get(Secret.value))) tx.set(secret.self(Secret.CLASS), Secret.value, value);
        });
    }

    private DbObject<Secret> secretOf(DbObject<VTPM> vtpm) {
        Ref<Secret> ref = vtpm.get(VTPM.contents);
        return ref.isNull() ? null : db.get(ref);
    }

    private Ref<Secret> newSecret(Database.Tx tx, String value) {
        Ref<Secret> ref = Refs.newRef(Secret.CLASS);
        tx.put(ref, db.newRecord(Secret.CLASS).set(Secret.uuid, Refs.newUuid()).set(Secret.value, value));
        return ref;
    }

    private void deleteSecret(Database.Tx tx, DbObject<VTPM> vtpm) {
        DbObject<Secret> secret = secretOf(vtpm);
        if (secret != null) tx.delete(secret.self(Secret.CLASS));
    }

    /** Removes the state of VTPMs that no longer exist (those VM.destroy took with it). */
    public void sweep() {
        if (!Files.isDirectory(root)) return;
        Set<String> live = db.all(VTPM.CLASS).stream().map(v -> v.get(VTPM.uuid)).collect(Collectors.toSet());
        try (var dirs = Files.list(root)) {
            for (Path d : dirs.toList()) if (!live.contains(d.getFileName().toString())) HostFiles.deleteTree(d);
        } catch (IOException ignored) {
            // the next start sweeps again
        }
    }

    /** XAPI: a VTPM may be destroyed only while its VM is halted. */
    static List<VtpmOperations> allowedOperations(VmPowerState power) {
        return power == VmPowerState.Halted ? List.of(VtpmOperations.destroy) : List.of();
    }

    /** Stages the VTPMs' allowed_operations for their VM going to {@code power}. */
    public static void stageAllowed(Database db, Database.Tx tx, Ref<VM> vm, VmPowerState power) {
        for (Ref<VTPM> t : db.related(vm, VM.VTPMs)) tx.set(t, VTPM.allowed_operations, allowedOperations(power));
    }

    /** XAPI's assert_initial_power_state_in: VM_BAD_POWER_STATE with the allowed states joined by ";". */
    private static void requirePowerState(DbObject<VM> vm, VmPowerState... allowed) {
        VmPowerState actual = vm.get(VM.power_state);
        if (List.of(allowed).contains(actual)) return;
        throw ApiError.of("VM_BAD_POWER_STATE", vm.ref(),
                String.join(";", List.of(allowed).stream().map(VmLifecycle::lower).toList()), VmLifecycle.lower(actual));
    }
}
