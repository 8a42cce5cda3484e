package org.flotilla.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.Console;
import org.flotilla.model.xenapi.Host;
import org.flotilla.model.xenapi.Network;
import org.flotilla.model.xenapi.SR;
import org.flotilla.model.xenapi.Session;
import org.flotilla.model.xenapi.Task;
import org.flotilla.model.xenapi.VBD;
import org.flotilla.model.xenapi.VDI;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.VTPM;
import org.flotilla.model.xenapi.enums.ConsoleProtocol;
import org.flotilla.model.xenapi.enums.VbdMode;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * The commands the model alone cannot derive: each names the XenAPI messages it calls and how its
 * parameters map onto them (after cli_frontend.ml's table and cli_operations.ml). A command whose
 * messages the server does not offer fails before doing anything, saying so.
 */
final class HandWrittenCommands {
    private HandWrittenCommands() {}

    /** A hand-written command and the messages it needs from the server. */
    record Entry(Command command, List<String> messages) {}

    static List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        out.add(vmOp("vm-start", List.of("force", "on", "paused"), "Start the selected VM(s). Where pooling is enabled, the host on "
                + "which to start can be specified with the 'on' parameter that takes a uuid. The optional parameter '--force' will "
                + "bypass any hardware-compatibility warnings.",
                RemoteActions.names(VM.Actions.class, a -> { a.start(null, false, false); a.start_on(null, null, false, false); }),
                (ctx, line, vm) -> {
                    boolean paused = line.flag("paused");
                    boolean force = line.flag("force");
                    if (line.has("on")) vms(ctx).start_on(vm, host(ctx, line.get("on")), paused, force);
                    else vms(ctx).start(vm, paused, force);
                }));
        out.add(vmOp("vm-shutdown", List.of("force"), "Shutdown the selected VM(s). The optional argument --force will forcibly shut "
                + "down the VM.", RemoteActions.names(VM.Actions.class, a -> { a.clean_shutdown(null); a.hard_shutdown(null); }),
                (ctx, line, vm) -> {
                    if (line.flag("force")) vms(ctx).hard_shutdown(vm); else vms(ctx).clean_shutdown(vm);
                }));
        out.add(vmOp("vm-reboot", List.of("force"), "Reboot the selected VM(s).",
                RemoteActions.names(VM.Actions.class, a -> { a.clean_reboot(null); a.hard_reboot(null); }),
                (ctx, line, vm) -> {
                    if (line.flag("force")) vms(ctx).hard_reboot(vm); else vms(ctx).clean_reboot(vm);
                }));
        out.add(vmOp("vm-migrate", concat(List.of("host", "host-uuid", "live", VmMigration.VDI_PREFIX), VmMigrationToPool.PARAMS),
                "Migrate the selected VM(s) live to another host of the pool (host= its name or uuid, or host-uuid=). With "
                + "vdi:<vdi uuid>=<sr uuid> the disks of those VDIs move with it to those SRs (Storage XenMotion); without, the VM's "
                + "disks must be on storage that host reaches. With remote-master=<address> remote-username= remote-password= the VM "
                + "goes to a host of that other pool (host= its name or uuid there), its disks to the SRs there vdi: names and its "
                + "VIFs to the networks there vif:<vif uuid>=<network uuid> names.",
                VmMigration.messages(),
                (ctx, line, vm) -> {
                    if (line.has(VmMigrationToPool.MASTER)) {
                        VmMigrationToPool.run(ctx, line, vm, prefixed(line, VmMigration.VDI_PREFIX), prefixed(line, "vif"));
                        return;
                    }
                    String to = line.has("host-uuid") ? line.get("host-uuid") : line.has("host") ? line.get("host") : null;
                    if (to == null) throw CliFailure.paramError("Required parameter not found", "host-uuid");
                    VmMigration.run(ctx, vm, host(ctx, to), prefixed(line, VmMigration.VDI_PREFIX));
                }));
        out.add(vmOp("vm-suspend", List.of(), "Suspend the selected VM(s).", RemoteActions.names(VM.Actions.class, a -> a.suspend(null)),
                (ctx, line, vm) -> vms(ctx).suspend(vm)));
        out.add(vmOp("vm-resume", List.of("force", "on"), "Resume the selected VM(s).",
                RemoteActions.names(VM.Actions.class, a -> { a.resume(null, false, false); a.resume_on(null, null, false, false); }),
                (ctx, line, vm) -> {
                    if (line.has("on")) vms(ctx).resume_on(vm, host(ctx, line.get("on")), false, line.flag("force"));
                    else vms(ctx).resume(vm, false, line.flag("force"));
                }));
        for (VmCopy copy : VmCopy.values()) {
            List<String> optional = copy == VmCopy.COPY ? List.of("new-name-description", "sr-uuid") : List.of("new-name-description");
            out.add(new Entry(new Command("vm-" + copy.name().toLowerCase(java.util.Locale.ROOT), List.of("new-name-label"), optional,
                    copy.help + VmSelector.HELP_SUFFIX, true, (ctx, line) -> vmCopy(ctx, line, copy, optional)),
                    RemoteActions.names(VM.Actions.class, a -> copy.make(a, null, null, null))));
        }
        out.add(new Entry(new Command("snapshot-revert", List.of(), List.of("uuid", "snapshot-uuid"), "Bring a VM back to a snapshot "
                + "(uuid or snapshot-uuid) of it: its disks and settings as taken; a checkpoint leaves it suspended at that instant.",
                false, (ctx, line) -> {
                    vms(ctx).revert(snapshotOf(ctx, line));
                    return Output.NOTHING;
                }), RemoteActions.names(VM.Actions.class, a -> a.revert(null))));
        out.add(new Entry(new Command("vdi-resize", List.of("uuid", "disk-size"), List.of(), "Grow a disk to disk-size (e.g. 10GiB); "
                + "an attached disk of a running VM grows online.", false, (ctx, line) -> {
                    vdis(ctx).resize(ctx.api().byUuid(VDI.CLASS, line.required("uuid")), Sizes.bytes("disk-size", line.required("disk-size")));
                    return Output.NOTHING;
                }), RemoteActions.names(VDI.Actions.class, a -> a.resize(null, 0))));
        out.add(new Entry(new Command("vdi-snapshot", List.of("uuid"), List.of(), "Take a read-only copy-on-write snapshot of a disk.",
                false, (ctx, line) -> uuidOf(ctx, vdis(ctx).snapshot(ctx.api().byUuid(VDI.CLASS, line.required("uuid")), Map.of()), VDI.uuid)),
                RemoteActions.names(VDI.Actions.class, a -> a.snapshot(null, null))));
        out.add(new Entry(new Command("vdi-enable-cbt", List.of("uuid"), List.of(), "Track the disk's changed blocks from now on.", false,
                (ctx, line) -> {
                    vdis(ctx).enable_cbt(ctx.api().byUuid(VDI.CLASS, line.required("uuid")));
                    return Output.NOTHING;
                }), RemoteActions.names(VDI.Actions.class, a -> a.enable_cbt(null))));
        out.add(new Entry(new Command("vdi-disable-cbt", List.of("uuid"), List.of(), "Stop tracking the disk's changed blocks.", false,
                (ctx, line) -> {
                    vdis(ctx).disable_cbt(ctx.api().byUuid(VDI.CLASS, line.required("uuid")));
                    return Output.NOTHING;
                }), RemoteActions.names(VDI.Actions.class, a -> a.disable_cbt(null))));
        out.add(new Entry(new Command("vdi-data-destroy", List.of("uuid"), List.of(),
                "Delete a snapshot's data, keeping its changed-block metadata (its type becomes cbt_metadata).", false, (ctx, line) -> {
                    vdis(ctx).data_destroy(ctx.api().byUuid(VDI.CLASS, line.required("uuid")));
                    return Output.NOTHING;
                }), RemoteActions.names(VDI.Actions.class, a -> a.data_destroy(null))));
        out.add(new Entry(new Command("vdi-list-changed-blocks", List.of("vdi-from-uuid", "vdi-to-uuid"), List.of(),
                "Print the 64 KiB blocks in which two disks differ, as a base64 bitmap.", false,
                (ctx, line) -> Output.value(vdis(ctx).list_changed_blocks(ctx.api().byUuid(VDI.CLASS, line.required("vdi-from-uuid")),
                        ctx.api().byUuid(VDI.CLASS, line.required("vdi-to-uuid"))))),
                RemoteActions.names(VDI.Actions.class, a -> a.list_changed_blocks(null, null))));
        out.add(new Entry(new Command("vdi-clone", List.of("uuid"), List.of("new-name-label", "new-name-description"),
                "Make a copy-on-write clone of a disk.", false, HandWrittenCommands::vdiClone),
                RemoteActions.names(VDI.Actions.class, a -> a.clone(null, null))));
        out.add(new Entry(new Command("vdi-copy", List.of("uuid", "sr-uuid"), List.of(), "Copy a disk, in full, into an SR.", false,
                (ctx, line) -> uuidOf(ctx, vdis(ctx).copy(ctx.api().byUuid(VDI.CLASS, line.required("uuid")),
                        ctx.api().byUuid(SR.CLASS, line.required("sr-uuid")), VDI.CLASS.nullRef(), VDI.CLASS.nullRef()), VDI.uuid)),
                RemoteActions.names(VDI.Actions.class, a -> a.copy(null, null, null, null))));
        out.add(new Entry(new Command("vdi-pool-migrate", List.of("uuid", "sr-uuid"), List.of("dest-img-format"),
                "Migrate a VDI to a specified SR, while it is attached to a running guest. You can specify the image format for the destination.",
                false, (ctx, line) -> uuidOf(ctx, vdis(ctx).pool_migrate(ctx.api().byUuid(VDI.CLASS, line.required("uuid")),
                        ctx.api().byUuid(SR.CLASS, line.required("sr-uuid")),
                        line.has("dest-img-format") ? Map.of("dest-img-format", line.get("dest-img-format")) : Map.of()), VDI.uuid)),
                RemoteActions.names(VDI.Actions.class, a -> a.pool_migrate(null, null, null))));
        out.add(new Entry(new Command("vm-install", List.of("new-name-label"), List.of("sr-name-label", "sr-uuid", "template"),
                "Make a VM from a template (named by name or uuid) and create its disks.", true,
                HandWrittenCommands::vmInstall),
                RemoteActions.names(VM.Actions.class, a -> { a.clone(null, null); a.copy(null, null, null); a.provision(null); })));
        out.add(new Entry(new Command("vm-uninstall", List.of(), List.of("force"), "Remove a VM together with the read-write disks "
                + "only it uses; vm-destroy removes the record alone."
                + VmSelector.HELP_SUFFIX, true, HandWrittenCommands::vmUninstall),
                concat(RemoteActions.names(VM.Actions.class, a -> a.destroy(null)), RemoteActions.names(VDI.Actions.class, a -> a.destroy(null)))));
        out.add(new Entry(new Command("snapshot-uninstall", List.of(), List.of("uuid", "snapshot-uuid", "force"), "Remove a snapshot "
                + "(uuid or snapshot-uuid) together with the read-write disks only it uses, and a checkpoint's memory; "
                + "snapshot-destroy removes the record alone.", false, (ctx, line) -> {
                    RemoteRecord<VM> snapshot = ctx.api().record(snapshotOf(ctx, line));
                    if (snapshot.get(VM.power_state) == VmPowerState.Suspended) vms(ctx).hard_shutdown(snapshot.ref());
                    uninstall(ctx, ctx.api().record(snapshot.ref()));
                    return Output.NOTHING;
                }), concat(RemoteActions.names(VM.Actions.class, a -> { a.hard_shutdown(null); a.destroy(null); }),
                        RemoteActions.names(VDI.Actions.class, a -> a.destroy(null)))));
        out.add(new Entry(new Command("snapshot-destroy", List.of(), List.of("uuid", "snapshot-uuid"), "Remove a snapshot's record "
                + "(uuid or snapshot-uuid), leaving its disks.", false, (ctx, line) -> {
                    vms(ctx).destroy(snapshotOf(ctx, line));
                    return Output.NOTHING;
                }), RemoteActions.names(VM.Actions.class, a -> a.destroy(null))));
        out.add(new Entry(new Command("vdi-import", List.of("uuid", "filename"), List.of("format"),
                "Overwrite a disk with a file of the user's, raw (the default), a VHD (format=vhd) or a qcow2 image without a backing file "
                + "(format=qcow2).", false,
                (ctx, line) -> transfer(ctx, line, "/import_raw_vdi")), List.of()));
        out.add(new Entry(new Command("vdi-export", List.of("uuid", "filename"), List.of("format"),
                "Write a disk into a new file of the user's, raw (the default), or a VHD (format=vhd) or qcow2 image (format=qcow2) of its "
                + "allocated blocks.", false,
                (ctx, line) -> transfer(ctx, line, "/export_raw_vdi")), List.of()));
        out.add(new Entry(new Command("vm-export", List.of("filename"), List.of("vm", "uuid", "compress", "metadata"),
                "Write a halted VM and its disks into a new XVA file of the user's (compress=true or gzip, or zstd; metadata=true: its "
                + "ova.xml alone). Choose the VM with vm=<name or uuid> or uuid=.", false, HandWrittenCommands::vmExport), List.of()));
        out.add(new Entry(new Command("vm-import", List.of("filename"), List.of("sr-uuid", "preserve", "force"),
                "Make VMs from a package of the user's: an XVA, an OVA (VMware's export: its VMDKs converted, each VirtualSystem a VM), "
                + "a directory holding an OVF package, or a directory of such packages, imported in turn. Disks go in sr-uuid (the "
                + "pool's default SR without); prints the new VMs' uuids, comma-separated. preserve=true keeps an XVA's MAC addresses.",
                false, HandWrittenCommands::vmImport),
                RemoteActions.names(Task.Actions.class, a -> a.create(null, null))));
        out.add(new Entry(new Command("console", List.of(), List.of(), "Show a VM's text console as it runs." + VmSelector.HELP_SUFFIX, false,
                HandWrittenCommands::console), List.of()));
        out.add(new Entry(new Command("sr-create", List.of("name-label", "type"), List.of("name-description", "host-uuid",
                "device-config:", "shared", "physical-size", "content-type", "sm-config:"),
                "Make an SR and the PBD that attaches it; give driver settings as device-config:key=value.", false,
                HandWrittenCommands::srCreate),
                RemoteActions.names(SR.Actions.class, a -> a.create(null, null, 0, null, null, null, null, false, null))));
        out.add(new Entry(new Command("sr-probe", List.of("type"), List.of("host-uuid", "device-config:", "sm-config:"),
                "Look for SRs of a type where device-config: points, or for what would complete a partial device-config "
                + "(an nfs server's exports, say); prints what the driver answers.", false, HandWrittenCommands::srProbe),
                RemoteActions.names(SR.Actions.class, a -> a.probe(null, null, null, null))));
        out.add(new Entry(new Command("sr-scan", List.of("uuid"), List.of(), "Look at the SR's storage again: adopt images found "
                + "there and forget records whose image is gone.", false, (ctx, line) -> {
                    ctx.api().actions(SR.Actions.class).scan(ctx.api().byUuid(SR.CLASS, line.required("uuid")));
                    return Output.NOTHING;
                }), RemoteActions.names(SR.Actions.class, a -> a.scan(null))));
        out.add(new Entry(new Command("vdi-create", List.of("sr-uuid", "name-label", "virtual-size"), List.of("sm-config:", "sharable",
                "tags:", "type"), "Make a disk in an SR; type is one of system, user, suspend, crashdump.", false,
                HandWrittenCommands::vdiCreate), RemoteActions.names(VDI.Actions.class, a -> a.create(null))));
        out.add(new Entry(new Command("vbd-create", List.of("vm-uuid", "device"), List.of("vdi-uuid", "bootable", "type", "mode",
                "unpluggable"), "Connect a disk to a VM at a free device number "
                + "(see the VM's allowed-VBD-devices); without vdi-uuid it is an empty drive. type: Disk or CD; mode: RO or RW.", false, HandWrittenCommands::vbdCreate),
                RemoteActions.names(VBD.Actions.class, a -> a.create(null))));
        out.add(new Entry(new Command("vif-create", List.of("device", "network-uuid", "vm-uuid"), List.of("mac"), "Give a VM a network interface at a free device "
                + "number (see the VM's allowed-VIF-devices); mac is aa:bb:cc:dd:ee:ff, or left out for one made up by the host.", false, HandWrittenCommands::vifCreate),
                RemoteActions.names(VIF.Actions.class, a -> a.create(null))));
        out.add(new Entry(new Command("network-create", List.of("name-label"), List.of("name-description", "MTU", "bridge", "managed"),
                "Make a network (a bridge on each host that uses it).", false, HandWrittenCommands::networkCreate),
                RemoteActions.names(Network.Actions.class, a -> a.create(null))));
        out.add(new Entry(new Command("vtpm-create", List.of("vm-uuid"), List.of("is-unique"), "Give a VM a virtual TPM.", false,
                (ctx, line) -> uuidOf(ctx, ctx.api().actions(VTPM.Actions.class).create(ctx.api().byUuid(VM.CLASS, line.required("vm-uuid")),
                        line.flag("is-unique") || line.flag("is_unique")), VTPM.uuid)), RemoteActions.names(VTPM.Actions.class, a -> a.create(null, false))));
        out.add(new Entry(new Command("vtpm-destroy", List.of("uuid"), List.of("force"), "Remove a virtual TPM and its secrets; "
                + "as this loses data, --force is required.", false, (ctx, line) -> {
                    // xe asks for --force before it destroys anything that cannot be had back
                    if (!line.flag("force")) throw CliFailure.failure(NO_FORCE);
                    ctx.api().actions(VTPM.Actions.class).destroy(ctx.api().byUuid(VTPM.CLASS, line.required("uuid")));
                    return Output.NOTHING;
                }), RemoteActions.names(VTPM.Actions.class, a -> a.destroy(null))));
        out.addAll(VmDeviceLists.all());
        out.addAll(PoolCommands.all());
        return out;
    }

    private static final String NO_FORCE =
            "This operation is dangerous and may cause data loss. This operation must be forced (use --force).";

    /** vm-clone, vm-copy, vm-snapshot and vm-checkpoint: how each makes the new VM. */
    private enum VmCopy {
        CLONE("Make a new VM from the selected one, its disks cloned copy-on-write in their SRs."),
        COPY("Make a new VM from the selected one with full copies of its disks, in sr-uuid if given."),
        SNAPSHOT("Take a snapshot of the selected VM: a VM record marked is-a-snapshot, with snapshots of its disks."),
        CHECKPOINT("Take a snapshot of the selected VM with its memory: snapshots of its disks and its memory at one instant; "
                + "snapshot-revert to it leaves the VM suspended, for vm-resume to run on from that instant.");

        final String help;

        VmCopy(String help) { this.help = help; }

        Ref<VM> make(VM.Actions vms, Ref<VM> vm, String name, Ref<SR> sr) {
            return switch (this) {
                case CLONE -> vms.clone(vm, name);
                case COPY -> vms.copy(vm, name, sr);
                case SNAPSHOT -> vms.snapshot(vm, name, List.of());
                case CHECKPOINT -> vms.checkpoint(vm, name);
            };
        }
    }

    @FunctionalInterface
    private interface VmAction {
        void apply(CommandContext ctx, CommandLine line, Ref<VM> vm);
    }

    /** A command on the selected VM(s); like XAPI, vm-start alone may touch the control domain. */
    private static Entry vmOp(String name, List<String> optional, String help, List<String> messages, VmAction action) {
        boolean controlDomain = name.equals("vm-start");
        return new Entry(new Command(name, List.of(), optional, help + VmSelector.HELP_SUFFIX, true, (ctx, line) -> {
            for (ObjectRecord vm : VmSelector.select(ctx, line, controlDomain, optional)) action.apply(ctx, line, VM.CLASS.ref(vm.ref()));
            return Output.NOTHING;
        }), messages);
    }

    private static VM.Actions vms(CommandContext ctx) { return ctx.api().actions(VM.Actions.class); }

    private static VDI.Actions vdis(CommandContext ctx) { return ctx.api().actions(VDI.Actions.class); }

    private static List<String> concat(List<String> a, List<String> b) {
        var out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Ref<Host> host(CommandContext ctx, String nameOrUuid) {
        for (RemoteRecord<Host> h : ctx.api().allRecords(Host.CLASS).values()) {
            if (nameOrUuid.equals(h.get(Host.uuid)) || nameOrUuid.equals(h.get(Host.name_label))) return h.ref();
        }
        throw CliFailure.failure("Host " + nameOrUuid + " not found");
    }

    /** What xe prints for a new object: its uuid. */
    private static <C> Output uuidOf(CommandContext ctx, Ref<C> ref, Field<C, String> uuid) { return Output.value(ctx.api().get(ref, uuid)); }

    /** Map parameters given as "prefix:key=value" on the command line, e.g. device-config:path=/srv. */
    private static Map<String, String> prefixed(CommandLine line, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        line.params().forEach((k, v) -> {
            if (k.startsWith(prefix + ":")) out.put(k.substring(prefix.length() + 1), v);
        });
        return out;
    }

    private static Output vmInstall(CommandContext ctx, CommandLine line) {
        String name = line.required("new-name-label");
        String wanted = line.get("template");
        if (wanted == null) throw CliFailure.failure("A template must be specified with template=<name or uuid>");
        List<Ref<VM>> templates = new ArrayList<>();
        for (RemoteRecord<VM> r : ctx.api().allRecords(VM.CLASS).values()) {
            if (Boolean.TRUE.equals(r.get(VM.is_a_template)) && (wanted.equals(r.get(VM.uuid)) || wanted.equals(r.get(VM.name_label)))) {
                templates.add(r.ref());
            }
        }
        if (templates.isEmpty()) throw CliFailure.failure("Template " + wanted + " not found");
        if (templates.size() > 1) throw CliFailure.failure("More than one matching template found");
        Ref<SR> sr = line.has("sr-uuid") ? ctx.api().byUuid(SR.CLASS, line.get("sr-uuid")) : null;
        // a copy to a named SR places the template's disks there; otherwise a clone (fast, same SR), as vm_install_real does
        Ref<VM> vm = sr != null ? vms(ctx).copy(templates.getFirst(), name, sr) : vms(ctx).clone(templates.getFirst(), name);
        vms(ctx).provision(vm);
        return uuidOf(ctx, vm, VM.uuid);
    }

    /** vm-clone, vm-copy, vm-snapshot and vm-checkpoint of the one selected VM: the new VM's uuid. */
    private static Output vmCopy(CommandContext ctx, CommandLine line, VmCopy how, List<String> optional) {
        var own = new ArrayList<>(optional);
        own.add("new-name-label");
        List<ObjectRecord> selected = VmSelector.select(ctx, line, false, own);
        if (selected.size() != 1) throw CliFailure.failure("Exactly one VM must be selected; " + selected.size() + " match");
        String name = line.required("new-name-label");
        Ref<SR> sr = line.has("sr-uuid") ? ctx.api().byUuid(SR.CLASS, line.get("sr-uuid")) : SR.CLASS.nullRef();
        Ref<VM> made = how.make(vms(ctx), VM.CLASS.ref(selected.getFirst().ref()), name, sr);
        if (line.has("new-name-description")) ctx.api().set(made, VM.name_description, line.get("new-name-description"));
        return uuidOf(ctx, made, VM.uuid);
    }

    private static Output vdiClone(CommandContext ctx, CommandLine line) {
        Ref<VDI> made = vdis(ctx).clone(ctx.api().byUuid(VDI.CLASS, line.required("uuid")), Map.of());
        if (line.has("new-name-label")) ctx.api().set(made, VDI.name_label, line.get("new-name-label"));
        if (line.has("new-name-description")) ctx.api().set(made, VDI.name_description, line.get("new-name-description"));
        return uuidOf(ctx, made, VDI.uuid);
    }

    private static Output vmUninstall(CommandContext ctx, CommandLine line) {
        for (ObjectRecord selected : VmSelector.select(ctx, line, false, List.of())) uninstall(ctx, selected.as(VM.CLASS));
        return Output.NOTHING;
    }

    /** Destroys the VM's record, then the read-write disks it had. */
    private static void uninstall(CommandContext ctx, RemoteRecord<VM> vm) {
        List<Ref<VDI>> disks = new ArrayList<>();
        for (Ref<VBD> vbd : vm.get(VM.VBDs)) {
            RemoteRecord<VBD> r = ctx.api().record(vbd);
            Ref<VDI> vdi = r.get(VBD.VDI);
            if (r.get(VBD.mode) == VbdMode.RW && vdi != null && !vdi.isNull()) disks.add(vdi);
        }
        vms(ctx).destroy(vm.ref());
        for (Ref<VDI> vdi : disks) vdis(ctx).destroy(vdi);
    }

    /** The snapshot a snapshot-* command names, by snapshot-uuid or uuid. */
    private static Ref<VM> snapshotOf(CommandContext ctx, CommandLine line) {
        return ctx.api().byUuid(VM.CLASS, line.has("snapshot-uuid") ? line.get("snapshot-uuid") : line.required("uuid"));
    }

    /** vdi-import and vdi-export: the file is the user's, sent or written where xe runs, over the host's HTTP handler. */
    private static Output transfer(CommandContext ctx, CommandLine line, String path) {
        Ref<VDI> vdi = ctx.api().byUuid(VDI.CLASS, line.required("uuid"));
        String format = line.params().getOrDefault("format", "raw");
        String target = path + "?vdi=" + vdi.value() + "&format=" + java.net.URLEncoder.encode(format, java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Path file = java.nio.file.Path.of(line.required("filename"));
        if (path.startsWith("/import")) ctx.consoles().upload(Upload.file(file), target, ctx.api().session());
        else ctx.consoles().download(target, ctx.api().session(), file);
        return Output.NOTHING;
    }

    /** vm-export: the XVA is written where xe runs, as vdi-export writes a disk. */
    private static Output vmExport(CommandContext ctx, CommandLine line) {
        String uuid = line.params().get("uuid");
        String vm;
        if (uuid != null) {
            vm = ctx.api().byUuid(VM.CLASS, uuid).value();
        } else {
            var selected = VmSelector.select(ctx, line, false, List.of("filename", "compress", "metadata"));
            if (selected.size() != 1) throw CliFailure.error("vm-export exports one VM; " + selected.size() + " match");
            vm = selected.getFirst().ref();
        }
        String path = Boolean.parseBoolean(line.params().get("metadata")) ? "/export_metadata" : "/export";
        String target = path + "?ref=" + vm + "&use_compression=" + compression(line.params().get("compress"));
        ctx.consoles().download(target, ctx.api().session(), java.nio.file.Path.of(line.required("filename")));
        return Output.NOTHING;
    }

    /** vm-export's compress= as /export's use_compression=: XCP-ng's xe takes true or gzip, zstd, and false. */
    private static String compression(String compress) {
        if (compress == null) return "false";
        return switch (compress.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "gzip" -> "true";
            case "zstd" -> "zstd";
            case "false" -> "false";
            default -> throw CliFailure.error("compress= takes true, gzip, zstd or false, not " + compress);
        };
    }

    /**
     * vm-import: xe sends the user's package under a task of its own, whose result names the new VMs, printed as XAPI's
     * xe prints them (uuids joined by commas). filename= is an XVA or an OVA (many VMs if it is a vApp); or a directory:
     * one holding an OVF descriptor is sent as the OVA it makes; one holding packages (*.xva, *.ova) has each imported
     * in turn, a batch conversion in one command.
     */
    private static Output vmImport(CommandContext ctx, CommandLine line) {
        java.nio.file.Path file = java.nio.file.Path.of(line.required("filename"));
        var uploads = new ArrayList<Upload>();
        if (!java.nio.file.Files.isDirectory(file)) {
            uploads.add(Upload.file(file));
        } else if (hasOvf(file)) {
            uploads.add(Upload.ovfDirectory(file));
        } else {
            try (var listing = java.nio.file.Files.list(file)) {
                listing.filter(f -> f.toString().toLowerCase(java.util.Locale.ROOT).matches(".*\\.(xva|ova)")).sorted().forEach(f -> uploads.add(Upload.file(f)));
            } catch (java.io.IOException e) {
                throw CliFailure.error("Cannot read " + file + ": " + e.getMessage());
            }
            if (uploads.isEmpty()) throw CliFailure.error(file + " holds no OVF descriptor and no package (*.ova, *.xva)");
        }
        var uuids = new ArrayList<String>();
        for (Upload u : uploads) {
            try {
                uuids.addAll(importOne(ctx, line, u));
            } catch (CliFailure e) {
                if (uuids.isEmpty()) throw e;
                // what was imported stays: the user learns which it was, and which package failed
                var lines = new ArrayList<>(List.of("Imported " + String.join(",", uuids) + " before " + u.name() + " failed:"));
                lines.addAll(e.stderrLines());
                throw new CliFailure(lines, 1);
            }
        }
        return Output.value(String.join(",", uuids));
    }

    private static boolean hasOvf(java.nio.file.Path dir) {
        try (var listing = java.nio.file.Files.list(dir)) {
            return listing.anyMatch(f -> f.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".ovf"));
        } catch (java.io.IOException e) {
            throw CliFailure.error("Cannot read " + dir + ": " + e.getMessage());
        }
    }

    /** One package sent under a task of xe's own; the uuids of the VMs its result names. */
    private static List<String> importOne(CommandContext ctx, CommandLine line, Upload upload) {
        var tasks = ctx.api().actions(Task.Actions.class);
        Ref<Task> task = tasks.create("xe vm-import", upload.name());
        try {
            String target = "/import?task_id=" + task.value() + "&restore=" + Boolean.parseBoolean(line.params().get("preserve"))
                    + "&force=" + Boolean.parseBoolean(line.params().get("force"));
            String sr = line.params().get("sr-uuid");
            if (sr != null) target += "&sr_id=" + ctx.api().byUuid(SR.CLASS, sr).value();
            ctx.consoles().upload(upload, target, ctx.api().session());
            var m = java.util.regex.Pattern.compile("OpaqueRef:[0-9a-fA-F-]+").matcher(ctx.api().record(task).get(Task.result));
            var uuids = new ArrayList<String>();
            while (m.find()) uuids.add(ctx.api().record(VM.CLASS.ref(m.group())).get(VM.uuid));
            if (uuids.isEmpty()) throw CliFailure.error("The import of " + upload.name() + " named no VM");
            return uuids;
        } finally {
            tasks.destroy(task);
        }
    }

    private static Output console(CommandContext ctx, CommandLine line) {
        var vm = VmSelector.select(ctx, line, true, List.of()).getFirst().as(VM.CLASS);
        List<RemoteRecord<Console>> consoles = new ArrayList<>();
        for (Ref<Console> c : vm.get(VM.consoles)) consoles.add(ctx.api().record(c));
        if (consoles.isEmpty()) throw CliFailure.error("No console available");
        // the control domain's console is a login, and a person at a terminal types into a VM's: both are joined
        // to the terminal; a script reading a VM's console follows what it prints
        boolean join = vm.get(VM.is_control_domain) || ctx.consoles().interactive();
        for (RemoteRecord<Console> c : consoles) {
            if (c.get(Console.protocol) != ConsoleProtocol.vt100) continue;
            String location = c.get(Console.location);
            if (join ? ctx.consoles().interact(location, ctx.api().session()) : ctx.consoles().follow(location, ctx.api().session())) {
                return Output.NOTHING;
            }
        }
        return new Output.Values(consoles.stream().map(c -> c.values().get(Console.protocol.name()) + " " + c.get(Console.location)).toList());
    }

    private static Output srCreate(CommandContext ctx, CommandLine line) {
        Ref<Host> host = hostOf(ctx, line);
        long size = line.has("physical-size") ? Sizes.bytes("physical-size", line.get("physical-size")) : 0L;
        Ref<SR> sr = ctx.api().actions(SR.Actions.class).create(host, prefixed(line, "device-config"), size, line.required("name-label"),
                line.params().getOrDefault("name-description", ""), line.required("type"),
                line.params().getOrDefault("content-type", ""), line.flag("shared"), prefixed(line, "sm-config"));
        return uuidOf(ctx, sr, SR.uuid);
    }

    /** host-uuid=, or the host xe is connected to. */
    private static Ref<Host> hostOf(CommandContext ctx, CommandLine line) {
        return line.has("host-uuid") ? ctx.api().byUuid(Host.CLASS, line.get("host-uuid")) : ctx.api().get(ctx.api().session(), Session.this_host);
    }

    private static Output srProbe(CommandContext ctx, CommandLine line) {
        Ref<Host> host = hostOf(ctx, line);
        return new Output.Values(List.of(ctx.api().actions(SR.Actions.class).probe(host, prefixed(line, "device-config"), line.required("type"),
                prefixed(line, "sm-config"))));
    }

    private static Output vdiCreate(CommandContext ctx, CommandLine line) {
        var record = new NewRecord<>(VDI.CLASS)
                .set(VDI.SR, ctx.api().byUuid(SR.CLASS, line.required("sr-uuid")))
                .set(VDI.name_label, line.required("name-label"))
                .set(VDI.virtual_size, Sizes.bytes("virtual-size", line.required("virtual-size")))
                .text(VDI.type, line.params().getOrDefault("type", "user"))
                .set(VDI.sharable, line.flag("sharable"))
                .set(VDI.sm_config, prefixed(line, "sm-config"))
                .set(VDI.tags, List.copyOf(prefixed(line, "tags").keySet()));
        return uuidOf(ctx, vdis(ctx).create(record.rec()), VDI.uuid);
    }

    private static Output vbdCreate(CommandContext ctx, CommandLine line) {
        boolean empty = !line.has("vdi-uuid");
        var record = new NewRecord<>(VBD.CLASS)
                .set(VBD.VM, ctx.api().byUuid(VM.CLASS, line.required("vm-uuid")))
                .set(VBD.userdevice, line.required("device"))
                .set(VBD.VDI, empty ? VDI.CLASS.nullRef() : ctx.api().byUuid(VDI.CLASS, line.get("vdi-uuid")))
                .set(VBD.empty, empty)
                .set(VBD.bootable, line.flag("bootable"))
                .text(VBD.type, line.params().getOrDefault("type", "Disk"))
                .text(VBD.mode, line.params().getOrDefault("mode", "RW"))
                .set(VBD.unpluggable, !"false".equals(line.params().getOrDefault("unpluggable", "true")));
        return uuidOf(ctx, ctx.api().actions(VBD.Actions.class).create(record.rec()), VBD.uuid);
    }

    private static Output vifCreate(CommandContext ctx, CommandLine line) {
        var record = new NewRecord<>(VIF.CLASS)
                .set(VIF.device, line.required("device"))
                .set(VIF.network, ctx.api().byUuid(Network.CLASS, line.required("network-uuid")))
                .set(VIF.VM, ctx.api().byUuid(VM.CLASS, line.required("vm-uuid")))
                .set(VIF.MAC, line.params().getOrDefault("mac", ""));
        return uuidOf(ctx, ctx.api().actions(VIF.Actions.class).create(record.rec()), VIF.uuid);
    }

    private static Output networkCreate(CommandContext ctx, CommandLine line) {
        var record = new NewRecord<>(Network.CLASS)
                .set(Network.name_label, line.required("name-label"))
                .set(Network.name_description, line.params().getOrDefault("name-description", ""));
        if (line.has("MTU")) record.set(Network.MTU, Sizes.bytes("MTU", line.get("MTU")));
        if (line.has("bridge")) record.set(Network.bridge, line.get("bridge"));
        if (line.has("managed")) record.set(Network.managed, line.flag("managed"));
        return uuidOf(ctx, ctx.api().actions(Network.Actions.class).create(record.rec()), Network.uuid);
    }
}
