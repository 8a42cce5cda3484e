package org.flotilla.runtime.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.stream.Collectors;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.host.AtomicFile;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VM;
import org.flotilla.vm.EfiVariables;

/**
 * UEFI variable stores. A VM's own is VM.NVRAM:EFI-variables, so that clone, copy, snapshot and any host
 * carry it; the file {@code <state>/nvram/<vm-uuid>.fd} is only where OVMF reads and writes it while the VM
 * runs. XCP-ng's varstored keeps its own compact serialisation of the variables there; here it is OVMF's
 * whole variable store (the pflash image), gzipped and base64-encoded ({@link EfiVariables}): the 540 KiB store is mostly erased
 * flash and shrinks to a few KiB, which keeps VM records, events and set_NVRAM calls small (a raw store,
 * base64 without gzip, is taken as well).
 */
public final class NvramFiles {
    private final Database db;
    private final Path root;

    public NvramFiles(Database db, Path stateDir) {
        this.db = db;
        this.root = stateDir.resolve("nvram");
    }

    Path file(String vmUuid) { return root.resolve(vmUuid + ".fd"); }

    /**
     * The variable store for a boot of {@code vm}: written from VM.NVRAM when it holds one, else the file the
     * VM last used, else a copy of {@code template}.
     */
    Path prepare(DbObject<VM> vm, Path template) {
        Path f = file(vm.get(VM.uuid));
        String kept = vm.get(VM.NVRAM).get(EfiVariables.KEY);
        try {
            Files.createDirectories(root);
            if (kept != null && !kept.isEmpty()) AtomicFile.write(f, EfiVariables.decode(kept));
            else if (!Files.exists(f)) Files.copy(template, f);
            // root's alone: QEMU writes it through the descriptor it is handed, no other user may read the keys in it
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw ApiError.internal("cannot make the UEFI variable store " + f + ": " + e.getMessage());
        }
        return f;
    }

    /** The store the VM's firmware left, base64-encoded; null if it has none. */
    public String read(String vmUuid) {
        Path f = file(vmUuid);
        try {
            return Files.isRegularFile(f) ? EfiVariables.encode(Files.readAllBytes(f)) : null;
        } catch (IOException e) {
            System.getLogger(NvramFiles.class.getName()).log(System.Logger.Level.WARNING, "cannot read " + f + ": " + e);
            return null;
        }
    }

    /** Stages {@code efiVariables} (from {@link #read}) into the VM's NVRAM, if it changed. */
    public static void stage(Database.Tx tx, DbObject<VM> vm, String efiVariables) {
        if (efiVariables == null || efiVariables.equals(vm.get(VM.NVRAM).get(EfiVariables.KEY))) return;
        var nvram = new LinkedHashMap<>(vm.get(VM.NVRAM));
        nvram.put(EfiVariables.KEY, efiVariables);
        tx.set(vm.self(VM.CLASS), VM.NVRAM, Collections.unmodifiableMap(nvram));
    }

    /** Removes the stores of VMs that no longer exist. */
    public void sweep() {
        if (!Files.isDirectory(root)) return;
        Set<String> live = db.all(VM.CLASS).stream().map(vm -> vm.get(VM.uuid) + ".fd").collect(Collectors.toSet());
        try (var stores = Files.list(root)) {
            for (Path f : stores.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".fd") && !name.startsWith(".") && !live.contains(name)) Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // the next sweep tries again
        }
    }
}
