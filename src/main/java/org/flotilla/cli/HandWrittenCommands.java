package org.flotilla.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                + "bypass any hardware-compatibility warnings.", List.of("VM.start", "VM.start_on"), (ctx, line, vm) -> {
                    boolean paused = line.flag("paused");
                    boolean force = line.flag("force");
                    if (line.has("on")) ctx.api().call("VM.start_on", vm.ref(), hostRef(ctx, line.get("on")), paused, force);
                    else ctx.api().call("VM.start", vm.ref(), paused, force);
                }));
        out.add(vmOp("vm-shutdown", List.of("force"), "Shutdown the selected VM(s). The optional argument --force will forcibly shut "
                + "down the VM.", List.of("VM.clean_shutdown", "VM.hard_shutdown"),
                (ctx, line, vm) -> ctx.api().call(line.flag("force") ? "VM.hard_shutdown" : "VM.clean_shutdown", vm.ref())));
        out.add(vmOp("vm-reboot", List.of("force"), "Reboot the selected VM(s).", List.of("VM.clean_reboot", "VM.hard_reboot"),
                (ctx, line, vm) -> ctx.api().call(line.flag("force") ? "VM.hard_reboot" : "VM.clean_reboot", vm.ref())));
        out.add(vmOp("vm-suspend", List.of(), "Suspend the selected VM(s).", List.of("VM.suspend"),
                (ctx, line, vm) -> ctx.api().call("VM.suspend", vm.ref())));
        out.add(vmOp("vm-resume", List.of("force", "on"), "Resume the selected VM(s).", List.of("VM.resume", "VM.resume_on"),
                (ctx, line, vm) -> {
                    if (line.has("on")) ctx.api().call("VM.resume_on", vm.ref(), hostRef(ctx, line.get("on")), false, line.flag("force"));
                    else ctx.api().call("VM.resume", vm.ref(), false, line.flag("force"));
                }));
        for (String copy : List.of("clone", "copy", "snapshot")) {
            List<String> optional = copy.equals("copy") ? List.of("new-name-description", "sr-uuid") : List.of("new-name-description");
            out.add(new Entry(new Command("vm-" + copy, List.of("new-name-label"), optional, switch (copy) {
                case "clone" -> "Make a new VM from the selected one, its disks cloned copy-on-write in their SRs.";
                case "copy" -> "Make a new VM from the selected one with full copies of its disks, in sr-uuid if given.";
                default -> "Take a snapshot of the selected VM: a VM record marked is-a-snapshot, with snapshots of its disks.";
            } + VmSelector.HELP_SUFFIX, true, (ctx, line) -> vmCopy(ctx, line, copy, optional)), List.of("VM." + copy)));
        }
        out.add(new Entry(new Command("vdi-resize", List.of("uuid", "disk-size"), List.of(), "Grow a disk to disk-size (e.g. 10GiB); "
                + "an attached disk of a running VM grows online.", false, (ctx, line) -> {
                    ctx.api().call("VDI.resize", ctx.api().refByUuid("VDI", line.required("uuid")), Sizes.bytes("disk-size", line.required("disk-size")));
                    return Output.NOTHING;
                }), List.of("VDI.resize")));
        out.add(new Entry(new Command("vdi-snapshot", List.of("uuid"), List.of(), "Take a read-only copy-on-write snapshot of a disk.",
                false, (ctx, line) -> uuidOf(ctx, "VDI", ctx.api().call("VDI.snapshot", ctx.api().refByUuid("VDI", line.required("uuid")), Map.of()))),
                List.of("VDI.snapshot")));
        out.add(new Entry(new Command("vdi-clone", List.of("uuid"), List.of("new-name-label", "new-name-description"),
                "Make a copy-on-write clone of a disk.", false, HandWrittenCommands::vdiClone), List.of("VDI.clone")));
        out.add(new Entry(new Command("vdi-copy", List.of("uuid", "sr-uuid"), List.of(), "Copy a disk, in full, into an SR.", false,
                (ctx, line) -> uuidOf(ctx, "VDI", ctx.api().call("VDI.copy", ctx.api().refByUuid("VDI", line.required("uuid")),
                        ctx.api().refByUuid("SR", line.required("sr-uuid"))))), List.of("VDI.copy")));
        out.add(new Entry(new Command("vm-install", List.of("new-name-label"), List.of("sr-name-label", "sr-uuid", "template"),
                "Make a VM from a template (named by name or uuid) and create its disks.", true,
                HandWrittenCommands::vmInstall), List.of("VM.clone", "VM.copy", "VM.provision")));
        out.add(new Entry(new Command("vm-uninstall", List.of(), List.of("force"), "Remove a VM together with the read-write disks "
                + "only it uses; vm-destroy removes the record alone."
                + VmSelector.HELP_SUFFIX, true, HandWrittenCommands::vmUninstall), List.of("VM.destroy", "VDI.destroy")));
        out.add(new Entry(new Command("console", List.of(), List.of(), "Show a VM's text console as it runs." + VmSelector.HELP_SUFFIX, false,
                HandWrittenCommands::console), List.of()));
        out.add(new Entry(new Command("sr-create", List.of("name-label", "type"), List.of("name-description", "host-uuid",
                "device-config:", "shared", "physical-size", "content-type", "sm-config:"),
                "Make an SR and the PBD that attaches it; give driver settings as device-config:key=value.", false,
                HandWrittenCommands::srCreate), List.of("SR.create")));
        out.add(new Entry(new Command("sr-scan", List.of("uuid"), List.of(), "Look at the SR's storage again: adopt images found "
                + "there and forget records whose image is gone.", false, (ctx, line) -> {
                    ctx.api().call("SR.scan", ctx.api().refByUuid("SR", line.required("uuid")));
                    return Output.NOTHING;
                }), List.of("SR.scan")));
        out.add(new Entry(new Command("vdi-create", List.of("sr-uuid", "name-label", "virtual-size"), List.of("sm-config:", "sharable",
                "tags:", "type"), "Make a disk in an SR; type is one of system, user, suspend, crashdump.", false,
                HandWrittenCommands::vdiCreate), List.of("VDI.create")));
        out.add(new Entry(new Command("vbd-create", List.of("vm-uuid", "device"), List.of("vdi-uuid", "bootable", "type", "mode",
                "unpluggable"), "Connect a disk to a VM at a free device number "
                + "(see the VM's allowed-VBD-devices); without vdi-uuid it is an empty drive. type: Disk or CD; mode: RO or RW.", false, HandWrittenCommands::vbdCreate),
                List.of("VBD.create")));
        out.add(new Entry(new Command("vif-create", List.of("device", "network-uuid", "vm-uuid"), List.of("mac"), "Give a VM a network interface at a free device "
                + "number (see the VM's allowed-VIF-devices); mac is aa:bb:cc:dd:ee:ff, or left out for one made up by the host.", false, HandWrittenCommands::vifCreate), List.of("VIF.create")));
        out.add(new Entry(new Command("network-create", List.of("name-label"), List.of("name-description", "MTU", "bridge", "managed"),
                "Make a network (a bridge on each host that uses it).", false, HandWrittenCommands::networkCreate), List.of("network.create")));
        out.add(new Entry(new Command("vtpm-create", List.of("vm-uuid"), List.of("is-unique"), "Give a VM a virtual TPM.", false,
                (ctx, line) -> uuidOf(ctx, "VTPM", ctx.api().call("VTPM.create", ctx.api().refByUuid("VM", line.required("vm-uuid")),
                        line.flag("is-unique") || line.flag("is_unique")))), List.of("VTPM.create")));
        out.add(new Entry(new Command("vtpm-destroy", List.of("uuid"), List.of("force"), "Remove a virtual TPM and its secrets; "
                + "as this loses data, --force is required.", false, (ctx, line) -> {
                    // xe asks for --force before it destroys anything that cannot be had back
                    if (!line.flag("force")) throw CliFailure.failure(NO_FORCE);
                    ctx.api().call("VTPM.destroy", ctx.api().refByUuid("VTPM", line.required("uuid")));
                    return Output.NOTHING;
                }), List.of("VTPM.destroy")));
        out.addAll(VmDeviceLists.all());
        return out;
    }

    private static final String NO_FORCE =
            "This operation is dangerous and may cause data loss. This operation must be forced (use --force).";

    @FunctionalInterface
    private interface VmAction {
        void apply(CommandContext ctx, CommandLine line, ObjectRecord vm);
    }

    /** A command on the selected VM(s); like XAPI, vm-start alone may touch the control domain. */
    private static Entry vmOp(String name, List<String> optional, String help, List<String> messages, VmAction action) {
        boolean controlDomain = name.equals("vm-start");
        return new Entry(new Command(name, List.of(), optional, help + VmSelector.HELP_SUFFIX, true, (ctx, line) -> {
            for (ObjectRecord vm : VmSelector.select(ctx, line, controlDomain, optional)) action.apply(ctx, line, vm);
            return Output.NOTHING;
        }), messages);
    }

    private static String hostRef(CommandContext ctx, String nameOrUuid) {
        for (var e : ctx.api().allRecords("host").entrySet()) {
            if (nameOrUuid.equals(e.getValue().get("uuid")) || nameOrUuid.equals(e.getValue().get("name_label"))) return e.getKey();
        }
        throw CliFailure.failure("Host " + nameOrUuid + " not found");
    }

    private static Output uuidOf(CommandContext ctx, String cls, Object ref) {
        return Output.value((String) ctx.api().call(cls + ".get_uuid", ref));
    }

    /** Map parameters given as "prefix:key=value" on the command line, e.g. device-config:path=/srv. */
    private static Map<String, Object> prefixed(CommandLine line, String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        line.params().forEach((k, v) -> {
            if (k.startsWith(prefix + ":")) out.put(k.substring(prefix.length() + 1), v);
        });
        return out;
    }

    private static Output vmInstall(CommandContext ctx, CommandLine line) {
        String name = line.required("new-name-label");
        String wanted = line.get("template");
        if (wanted == null) throw CliFailure.failure("A template must be specified with template=<name or uuid>");
        List<String> templates = new ArrayList<>();
        for (var e : ctx.api().allRecords("VM").entrySet()) {
            var r = e.getValue();
            if (Boolean.TRUE.equals(r.get("is_a_template")) && (wanted.equals(r.get("uuid")) || wanted.equals(r.get("name_label")))) {
                templates.add(e.getKey());
            }
        }
        if (templates.isEmpty()) throw CliFailure.failure("Template " + wanted + " not found");
        if (templates.size() > 1) throw CliFailure.failure("More than one matching template found");
        String sr = line.has("sr-uuid") ? ctx.api().refByUuid("SR", line.get("sr-uuid")) : null;
        // a copy to a named SR places the template's disks there; otherwise a clone (fast, same SR), as vm_install_real does
        Object vm = sr != null ? ctx.api().call("VM.copy", templates.getFirst(), name, sr)
                : ctx.api().call("VM.clone", templates.getFirst(), name);
        ctx.api().call("VM.provision", vm);
        return uuidOf(ctx, "VM", vm);
    }

    /** vm-clone, vm-copy and vm-snapshot of the one selected VM: the new VM's uuid. */
    private static Output vmCopy(CommandContext ctx, CommandLine line, String how, List<String> optional) {
        var own = new ArrayList<>(optional);
        own.add("new-name-label");
        List<ObjectRecord> vms = VmSelector.select(ctx, line, false, own);
        if (vms.size() != 1) throw CliFailure.failure("Exactly one VM must be selected; " + vms.size() + " match");
        String name = line.required("new-name-label");
        Object made = how.equals("copy")
                ? ctx.api().call("VM.copy", vms.getFirst().ref(), name,
                        line.has("sr-uuid") ? ctx.api().refByUuid("SR", line.get("sr-uuid")) : org.flotilla.model.ClassDef.NULL_REF)
                : ctx.api().call("VM." + how, vms.getFirst().ref(), name);
        if (line.has("new-name-description")) ctx.api().call("VM.set_name_description", made, line.get("new-name-description"));
        return uuidOf(ctx, "VM", made);
    }

    private static Output vdiClone(CommandContext ctx, CommandLine line) {
        Object made = ctx.api().call("VDI.clone", ctx.api().refByUuid("VDI", line.required("uuid")), Map.of());
        if (line.has("new-name-label")) ctx.api().call("VDI.set_name_label", made, line.get("new-name-label"));
        if (line.has("new-name-description")) ctx.api().call("VDI.set_name_description", made, line.get("new-name-description"));
        return uuidOf(ctx, "VDI", made);
    }

    private static Output vmUninstall(CommandContext ctx, CommandLine line) {
        for (ObjectRecord vm : VmSelector.select(ctx, line, false, List.of())) {
            List<String> disks = new ArrayList<>();
            @SuppressWarnings("unchecked")
            var vbds = (List<String>) vm.record().getOrDefault("VBDs", List.of());
            for (String vbd : vbds) {
                var r = ctx.api().record("VBD", vbd);
                if ("RW".equals(r.get("mode")) && !isNullRef(r.get("VDI"))) disks.add((String) r.get("VDI"));
            }
            ctx.api().call("VM.destroy", vm.ref());
            for (String vdi : disks) ctx.api().call("VDI.destroy", vdi);
        }
        return Output.NOTHING;
    }

    private static Output console(CommandContext ctx, CommandLine line) {
        List<ObjectRecord> vms = VmSelector.select(ctx, line, true, List.of());
        List<String> locations = new ArrayList<>();
        @SuppressWarnings("unchecked")
        var consoles = (List<String>) vms.getFirst().record().getOrDefault("consoles", List.of());
        for (String c : consoles) {
            var r = ctx.api().record("console", c);
            locations.add(r.get("protocol") + " " + r.get("location"));
        }
        if (locations.isEmpty()) throw CliFailure.error("No console available");
        for (String c : consoles) {
            var r = ctx.api().record("console", c);
            if ("vt100".equals(r.get("protocol"))
                    && ctx.consoles().follow((String) r.get("location"), ctx.api().sessionRef())) {
                return Output.NOTHING;
            }
        }
        return new Output.Values(locations);
    }

    private static Output srCreate(CommandContext ctx, CommandLine line) {
        String host = line.has("host-uuid") ? ctx.api().refByUuid("host", line.get("host-uuid"))
                : (String) ctx.api().call("session.get_this_host", ctx.api().sessionRef());
        long size = line.has("physical-size") ? Sizes.bytes("physical-size", line.get("physical-size")) : 0L;
        Object sr = ctx.api().call("SR.create", host, prefixed(line, "device-config"), size, line.required("name-label"),
                line.params().getOrDefault("name-description", ""), line.required("type"),
                line.params().getOrDefault("content-type", ""), line.flag("shared"), prefixed(line, "sm-config"));
        return uuidOf(ctx, "SR", sr);
    }

    private static Output vdiCreate(CommandContext ctx, CommandLine line) {
        Map<String, Object> record = new HashMap<>();
        record.put("SR", ctx.api().refByUuid("SR", line.required("sr-uuid")));
        record.put("name_label", line.required("name-label"));
        record.put("virtual_size", Sizes.bytes("virtual-size", line.required("virtual-size")));
        record.put("type", line.params().getOrDefault("type", "user"));
        record.put("sharable", line.flag("sharable"));
        record.put("sm_config", prefixed(line, "sm-config"));
        record.put("tags", List.copyOf(prefixed(line, "tags").keySet()));
        return uuidOf(ctx, "VDI", ctx.api().call("VDI.create", record));
    }

    private static Output vbdCreate(CommandContext ctx, CommandLine line) {
        Map<String, Object> record = new HashMap<>();
        record.put("VM", ctx.api().refByUuid("VM", line.required("vm-uuid")));
        record.put("userdevice", line.required("device"));
        boolean empty = !line.has("vdi-uuid");
        record.put("VDI", empty ? org.flotilla.model.ClassDef.NULL_REF : ctx.api().refByUuid("VDI", line.get("vdi-uuid")));
        record.put("empty", empty);
        record.put("bootable", line.flag("bootable"));
        record.put("type", line.params().getOrDefault("type", "Disk"));
        record.put("mode", line.params().getOrDefault("mode", "RW"));
        record.put("unpluggable", !"false".equals(line.params().getOrDefault("unpluggable", "true")));
        return uuidOf(ctx, "VBD", ctx.api().call("VBD.create", record));
    }

    private static Output vifCreate(CommandContext ctx, CommandLine line) {
        Map<String, Object> record = new HashMap<>();
        record.put("device", line.required("device"));
        record.put("network", ctx.api().refByUuid("network", line.required("network-uuid")));
        record.put("VM", ctx.api().refByUuid("VM", line.required("vm-uuid")));
        record.put("MAC", line.params().getOrDefault("mac", ""));
        return uuidOf(ctx, "VIF", ctx.api().call("VIF.create", record));
    }

    private static Output networkCreate(CommandContext ctx, CommandLine line) {
        Map<String, Object> record = new HashMap<>();
        record.put("name_label", line.required("name-label"));
        record.put("name_description", line.params().getOrDefault("name-description", ""));
        if (line.has("MTU")) record.put("MTU", Sizes.bytes("MTU", line.get("MTU")));
        if (line.has("bridge")) record.put("bridge", line.get("bridge"));
        if (line.has("managed")) record.put("managed", line.flag("managed"));
        return uuidOf(ctx, "network", ctx.api().call("network.create", record));
    }

    private static boolean isNullRef(Object ref) {
        return ref == null || "".equals(ref) || org.flotilla.model.ClassDef.NULL_REF.equals(ref);
    }
}
