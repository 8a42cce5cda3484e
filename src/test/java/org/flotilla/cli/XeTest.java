package org.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flotilla.api.Rpc;
import org.flotilla.daemon.Node;
import org.flotilla.db.Journal;
import org.flotilla.host.HostFacts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** xe run in-process against a host's XenAPI: layouts, --minimal, param commands, filters and errors. */
class XeTest {
    @TempDir Path dir;
    Node node;
    String hostName;
    /** Where the last run connected, to check the global options. */
    String connectedTo;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("state"));
        HostFacts facts = HostFacts.read("127.0.0.1");
        hostName = facts.hostname();
        node = new Node(dir.resolve("state"), Journal.NONE, (u, p) -> u.equals("root") && p.equals("secret"), facts,
                r -> "<value>" + r + "</value>");
    }

    @AfterEach
    void stop() { node.close(); }

    Result xe(String... args) { return xeWith(Map.of(), null, args); }

    Result xeWith(Map<String, String> env, Path rc, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        HostConnector connector = (host, port, tls) -> {
            connectedTo = (tls ? "https://" : "http://") + host + ":" + port;
            return node.rpc();
        };
        List<String> all = new ArrayList<>(List.of("-u", "root", "-pw", "secret"));
        if (rc != null || !env.isEmpty()) all.clear();  // those runs bring their own credentials
        all.addAll(List.of(args));
        int code = new Xe(connector, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(all, env, rc);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String ok(String... args) {
        Result r = xe(args);
        assertEquals(0, r.code(), () -> "xe " + String.join(" ", args) + " failed: " + r.err());
        assertEquals("", r.err());
        return r.out();
    }

    @SuppressWarnings("unchecked")
    String dom0Uuid() {
        Rpc rpc = node.rpc();
        String s = (String) rpc.call("session.login_with_password", new ArrayList<>(List.of("root", "secret")));
        var vms = (Map<String, Map<String, Object>>) rpc.call("VM.get_all_records", new ArrayList<>(List.of(s)));
        return (String) vms.values().iterator().next().get("uuid");
    }

    String hostUuid() { return ok("host-list", "--minimal").strip(); }

    @Test
    void vmListShowsTheControlDomainInXesLayout() {
        String expected = "uuid ( RO)           : " + dom0Uuid() + "\n"
                + "     name-label ( RW): Control domain on host: " + hostName + "\n"
                + "    power-state ( RO): running\n"
                + "\n\n";
        assertEquals(expected, ok("vm-list"));
    }

    @Test
    void minimalPrintsCommaSeparatedUuidsOrTheOneValue() {
        assertEquals(dom0Uuid() + "\n", ok("vm-list", "--minimal"));
        assertEquals("running\n", ok("vm-list", "params=power-state", "--minimal"));
        assertEquals("\n", ok("vm-list", "name-label=no such VM", "--minimal"), "nothing found prints an empty line");
        assertEquals(hostName + "\n", ok("host-param-get", "uuid=" + hostUuid(), "param-name=name-label", "--minimal"));
    }

    @Test
    void anyClassIsFilteredByWhatItsReferencesName() {
        String cpus = ok("host-cpu-list", "host-uuid=" + hostUuid(), "--minimal").strip();
        assertFalse(cpus.isEmpty());
        assertEquals(cpus + "\n", ok("host-cpu-list", "host-name-label=" + hostName, "--minimal"));
        assertEquals("\n", ok("host-cpu-list", "host-name-label=no such host", "--minimal"));
        String first = cpus.split(",")[0];
        assertEquals(hostName + "\n", ok("host-cpu-param-get", "uuid=" + first, "param-name=host-name-label"));
    }

    @Test
    void hostListAndParamList() {
        String list = ok("host-list");
        assertTrue(list.startsWith("uuid ( RO)                : " + hostUuid() + "\n          name-label ( RW): " + hostName + "\n"
                + "    name-description ( RW): "), list);
        String params = ok("host-param-list", "uuid=" + hostUuid());
        assertTrue(params.contains(" other-config (MRW): "), params);
        assertTrue(params.contains(" resident-vms (SRO): " + dom0Uuid() + "\n"), params);
        assertTrue(params.contains(" software-version (MRO): "), params);
        assertTrue(params.contains(" API-version-major ( RO): 2\n"), params);
    }

    @Test
    void paramSetThenGet() {
        String host = hostUuid();
        assertEquals(hostName + "\n", ok("host-param-get", "uuid=" + host, "param-name=name-label"));
        assertEquals("", ok("host-param-set", "uuid=" + host, "name-label=x", "name-description=the first host"));
        assertEquals("x\n", ok("host-param-get", "uuid=" + host, "param-name=name-label"));
        assertEquals("the first host\n", ok("host-param-get", "uuid=" + host, "param-name=name-description"));
    }

    @Test
    void mapParamAddRemoveAndGetByKey() {
        String host = hostUuid();
        ok("host-param-add", "uuid=" + host, "param-name=other-config", "rack=4", "row=b");
        assertEquals("4\n", ok("host-param-get", "uuid=" + host, "param-name=other-config", "param-key=rack"));
        assertTrue(ok("host-param-get", "uuid=" + host, "param-name=other-config").contains("rack: 4; row: b"));
        ok("host-param-set", "uuid=" + host, "other-config:rack=5");
        assertEquals("5\n", ok("host-param-get", "uuid=" + host, "param-name=other-config", "param-key=rack"));
        ok("host-param-remove", "uuid=" + host, "param-name=other-config", "param-key=rack");
        Result gone = xe("host-param-get", "uuid=" + host, "param-name=other-config", "param-key=rack");
        assertEquals(1, gone.code());
        assertTrue(gone.err().endsWith("message: Failure: Key rack not found in map\n"), gone.err());
        ok("host-param-clear", "uuid=" + host, "param-name=other-config");
        assertEquals("\n", ok("host-param-get", "uuid=" + host, "param-name=other-config"));
    }

    @Test
    void setParamsTakeParamKey() {
        String vm = dom0Uuid();
        ok("vm-param-add", "uuid=" + vm, "param-name=tags", "param-key=web");
        ok("vm-param-add", "uuid=" + vm, "param-name=tags", "param-key=db");
        assertEquals("web; db\n", ok("vm-param-get", "uuid=" + vm, "param-name=tags"));
        assertEquals(dom0Uuid() + "\n", ok("vm-list", "tags:contains=db", "--minimal"));
        ok("vm-param-remove", "uuid=" + vm, "param-name=tags", "param-key=web");
        assertEquals("db\n", ok("vm-param-get", "uuid=" + vm, "param-name=tags"));
    }

    @Test
    void filtersSelectRecords() {
        String vm = dom0Uuid();
        assertEquals(vm + "\n", ok("vm-list", "name-label=Control domain on host: " + hostName, "--minimal"));
        assertEquals(vm + "\n", ok("vm-list", "uuid=" + vm, "--minimal"));
        assertEquals(vm + "\n", ok("vm-list", "power-state=running", "--minimal"));
        assertEquals("\n", ok("vm-list", "name-label=nope", "--minimal"));
        assertEquals("", ok("vm-list", "power-state=halted"));
        String host = hostUuid();
        ok("host-param-set", "uuid=" + host, "other-config:rack=4");
        assertEquals(host + "\n", ok("host-list", "other-config:rack=4", "--minimal"));
        assertEquals("\n", ok("host-list", "other-config:rack=5", "--minimal"));
        assertEquals(hostName + "\n", ok("host-list", "params=name-label", "--minimal"));
    }

    @Test
    void referencesShowAsUuids() {
        String vm = dom0Uuid();
        assertEquals(hostUuid() + "\n", ok("vm-param-get", "uuid=" + vm, "param-name=resident-on"));
        assertEquals("<not in database>\n", ok("vm-param-get", "uuid=" + vm, "param-name=affinity"));
        String pool = ok("pool-list");
        assertTrue(pool.contains("      master ( RO): " + hostUuid() + "\n"), pool);
    }

    @Test
    void badUuidFailsAsXeDoes() {
        Result r = xe("vm-param-list", "uuid=nope");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertEquals("No object of that class has this uuid.\ntype: VM\nuuid: nope\n", r.err());
    }

    @Test
    void commandErrors() {
        Result unknown = xe("vm-fly");
        assertEquals(1, unknown.code());
        assertEquals("Unknown command: vm-fly\nFor usage run: 'xe help'\n", unknown.err());
        Result missing = xe("host-param-get", "param-name=name-label");
        assertEquals(1, missing.code());
        assertEquals("Required parameter not found: uuid\nFor usage run: 'xe help'\n", missing.err());
        Result readOnly = xe("vm-param-set", "uuid=" + dom0Uuid(), "power-state=halted");
        assertEquals(1, readOnly.code());
        assertTrue(readOnly.err().endsWith("message: Failure: Field 'power-state' is read-only.\n"), readOnly.err());
        Result noField = xe("host-param-get", "uuid=" + hostUuid(), "param-name=colour");
        assertEquals("Error code: Missing parameter\nError parameters: colour\n", noField.err());
        Result login = xeWith(Map.of(), null, "-u", "root", "-pw", "wrong", "vm-list");
        assertEquals(1, login.code());
        assertEquals("Authentication failed\nFor usage run: 'xe help'\n", login.err());
    }

    @Test
    void vmStartOfTheRunningControlDomainIsABadPowerState() {
        // VM.start is implemented now (the VM runtime): xe passes XAPI's error on, as xe does
        Result r = xe("vm-start", "vm=" + dom0Uuid());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("expected: halted") && r.err().contains("actual: running"), r.err());
    }

    @Test
    void vmInstallClonesAndProvisionsATemplate() {
        Result missing = xe("vm-install", "template=Debian", "new-name-label=web");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("Template Debian not found"), missing.err());
        String uuid = ok("vm-install", "template=Other install media", "new-name-label=web").trim();
        assertEquals(uuid + "\n", ok("vm-list", "name-label=web", "--minimal"));
        assertEquals("false\n", ok("vm-param-get", "uuid=" + uuid, "param-name=is-a-template", "--minimal"));
    }

    @Test
    void handWrittenCommandsTheServerHas() {
        String sr = ok("sr-list", "name-label=Local storage", "--minimal").strip();
        String vdi = ok("vdi-create", "sr-uuid=" + sr, "name-label=disk0", "virtual-size=1MiB").strip();
        assertEquals("1048576\n", ok("vdi-param-get", "uuid=" + vdi, "param-name=virtual-size"));
        assertEquals("", ok("sr-scan", "uuid=" + sr));
        ok("sr-param-set", "uuid=" + sr, "name-label=fast disks");
        assertTrue(ok("sr-list").contains("          name-label ( RW): fast disks\n"));
    }

    @Test
    void messagesOnOneObjectAreCommandsOfTheirOwn() {
        String sr = ok("sr-list", "name-label=Local storage", "--minimal").strip();
        String vdi = ok("vdi-create", "sr-uuid=" + sr, "name-label=scratch", "virtual-size=1MiB").strip();
        String vm = ok("vm-install", "template=Other install media", "new-name-label=short-lived").strip();
        String vbd = ok("vbd-create", "vm-uuid=" + vm, "device=1", "vdi-uuid=" + vdi).strip();
        assertEquals(vbd + "\n", ok("vbd-list", "vm-uuid=" + vm, "vdi-uuid=" + vdi, "--minimal"));
        assertEquals(vbd + "\n", ok("vbd-list", "vm-name-label=short-lived", "vdi-name-label=scratch", "--minimal"));
        assertEquals("\n", ok("vbd-list", "vm-name-label=someone else", "--minimal"));
        assertTrue(ok("vdi-list", "sr-uuid=" + sr, "--minimal").contains(vdi));
        Result halted = xe("vbd-plug", "uuid=" + vbd);
        assertEquals(1, halted.code(), halted.out() + halted.err());
        assertTrue(halted.err().contains("VM_BAD_POWER_STATE") || halted.err().contains("power state"), halted.err());
        assertEquals("", ok("vbd-destroy", "uuid=" + vbd));
        assertEquals("", ok("vdi-destroy", "uuid=" + vdi));
        assertEquals("\n", ok("vdi-list", "name-label=scratch", "--minimal"));
        Result notRunning = xe("vm-pause", "uuid=" + vm);
        assertEquals(1, notRunning.code());
        assertTrue(notRunning.err().contains("VM_BAD_POWER_STATE") || notRunning.err().contains("power state"), notRunning.err());
        String clone = ok("vm-clone", "uuid=" + vm, "new-name-label=twin").strip();
        assertEquals("twin\n", ok("vm-param-get", "uuid=" + clone, "param-name=name-label"));
        String snap = ok("vm-snapshot", "vm=twin", "new-name-label=before").strip();
        assertEquals("true\n", ok("snapshot-param-get", "uuid=" + snap, "param-name=is-a-snapshot"));
        String copy = ok("vm-copy", "vm=twin", "new-name-label=far", "sr-uuid=" + sr).strip();
        assertEquals("far\n", ok("vm-param-get", "uuid=" + copy, "param-name=name-label"));
        String disk = ok("vdi-create", "sr-uuid=" + sr, "name-label=grown", "virtual-size=1MiB").strip();
        assertEquals("", ok("vdi-resize", "uuid=" + disk, "disk-size=2MiB"));
        assertEquals("2097152\n", ok("vdi-param-get", "uuid=" + disk, "param-name=virtual-size"));
        String vdiSnap = ok("vdi-snapshot", "uuid=" + disk).strip();
        assertEquals("true\n", ok("vdi-param-get", "uuid=" + vdiSnap, "param-name=is-a-snapshot"));
        String vdiClone = ok("vdi-clone", "uuid=" + disk, "new-name-label=sibling").strip();
        assertEquals("sibling\n", ok("vdi-param-get", "uuid=" + vdiClone, "param-name=name-label"));
        assertEquals("", ok("vdi-enable-cbt", "uuid=" + disk));
        String tracked1 = ok("vdi-snapshot", "uuid=" + disk).strip();
        String tracked2 = ok("vdi-snapshot", "uuid=" + disk).strip();
        assertEquals("AAAAAA==\n", ok("vdi-list-changed-blocks", "vdi-from-uuid=" + tracked1, "vdi-to-uuid=" + tracked2), "32 unchanged blocks");
        assertEquals("", ok("vdi-data-destroy", "uuid=" + tracked1));
        assertEquals("cbt_metadata\n", ok("vdi-param-get", "uuid=" + tracked1, "param-name=type"));
        assertEquals("", ok("vdi-disable-cbt", "uuid=" + disk));
        assertEquals("false\n", ok("vdi-param-get", "uuid=" + disk, "param-name=cbt-enabled"));
        assertEquals("", ok("vm-destroy", "uuid=" + vm));
        assertEquals("\n", ok("vm-list", "name-label=short-lived", "--minimal"));
        Result gone = xe("vbd-plug", "uuid=" + vbd);
        assertEquals(1, gone.code(), gone.err());
        assertTrue(ok("help", "vif-unplug").contains("reqd params     : uuid"));
    }

    @Test
    void helpListsCommandsAndShowsParameters() {
        String help = ok("help");
        assertTrue(help.startsWith("Usage:\n  xe <command>\n"), help);
        assertTrue(help.contains("Common command list\n-------------------\n    "), help);
        assertTrue(help.contains("vm-list"), help);
        String all = ok("help", "--all");
        assertTrue(all.contains("host-param-set") && all.contains("pif-list") && all.contains("host-cpu-list"), all);
        String vmList = ok("help", "vm-list");
        assertTrue(vmList.startsWith("command name            : vm-list\n        reqd params     : \n"
                + "        optional params : params, uuid, name-label, name-description, user-version, "), vmList);
        assertTrue(vmList.contains("        description     : Show the vms, only those matching any field=value given"), vmList);
        String get = ok("help", "host-param-get");
        assertTrue(get.contains("        reqd params     : uuid, param-name\n        optional params : param-key\n"), get);
    }

    @Test
    void globalOptionsFromRcFileEnvAndCommandLine() throws Exception {
        Path rc = dir.resolve(".xe");
        Files.writeString(rc, "server=rc-host\nusername=root\npassword=secret\n");
        Result fromRc = xeWith(Map.of(), rc, "host-list", "--minimal");
        assertEquals(0, fromRc.code(), fromRc.err());
        assertEquals("https://rc-host:443", connectedTo);
        Result fromEnv = xeWith(Map.of("XE_EXTRA_ARGS", "server=env-host,port=8443"), rc, "host-list", "--minimal");
        assertEquals(0, fromEnv.code(), fromEnv.err());
        assertEquals("https://env-host:8443", connectedTo);
        Result fromArgs = xeWith(Map.of("XE_EXTRA_ARGS", "server=env-host"), rc, "-s", "arg-host", "--nossl", "host-list");
        assertEquals(0, fromArgs.code(), fromArgs.err());
        assertEquals("http://arg-host:80", connectedTo);
        Path pwf = dir.resolve("pw");
        Files.writeString(pwf, "root\nsecret\n");
        Result withPwf = xeWith(Map.of("XE_EXTRA_ARGS", "port=4443"), null, "-pwf", pwf.toString(), "host-list");
        assertEquals(0, withPwf.code(), withPwf.err());
        assertEquals("https://127.0.0.1:4443", connectedTo);
    }

    /** A VM "web" with disk "data" on Local storage at device 1 and a VIF on network "lan"; uuids in order vm, vdi, vbd, network, vif, sr. */
    List<String> webVm() {
        String sr = ok("sr-list", "name-label=Local storage", "--minimal").strip();
        String vdi = ok("vdi-create", "sr-uuid=" + sr, "name-label=data", "virtual-size=1MiB").strip();
        String vm = ok("vm-install", "template=Other install media", "new-name-label=web").strip();
        String vbd = ok("vbd-create", "vm-uuid=" + vm, "device=1", "vdi-uuid=" + vdi).strip();
        String net = ok("network-create", "name-label=lan").strip();
        String vif = ok("vif-create", "vm-uuid=" + vm, "device=0", "network-uuid=" + net, "mac=aa:bb:cc:dd:ee:01").strip();
        return List.of(vm, vdi, vbd, net, vif, sr);
    }

    @Test
    void vmDiskAndVifListsShowEachDeviceAsXeDoes() {
        List<String> u = webVm();
        String vm = u.get(0), vdi = u.get(1), vbd = u.get(2), net = u.get(3), vif = u.get(4);
        String disks = ok("vm-disk-list", "vm=web");
        String data = "Disk 0 VBD:\n"
                + "uuid ( RO)             : " + vbd + "\n"
                + "    vm-name-label ( RO): web\n"
                + "       userdevice ( RW): 1\n\n\n"
                + "Disk 0 VDI:\n"
                + "uuid ( RO)             : " + vdi + "\n"
                + "       name-label ( RW): data\n"
                + "    sr-name-label ( RO): Local storage\n"
                + "     virtual-size ( RO): 1048576\n\n\n";
        assertEquals(data, disks, "the VM's one disk, fields in the order of xe's records");
        assertTrue(ok("vm-disk-list", "vm=web", "vbd-params=userdevice", "vdi-params=name-label").contains("\nname-label ( RW)    : data\n"));
        assertEquals("uuid ( RO)                  : " + vif + "\n"
                + "         vm-name-label ( RO): web\n"
                + "                device ( RO): 0\n"
                + "                   MAC ( RO): aa:bb:cc:dd:ee:01\n"
                + "          network-uuid ( RO): " + net + "\n"
                + "    network-name-label ( RO): lan\n\n\n", ok("vm-vif-list", "uuid=" + vm));
        assertEquals(vif + "\n", ok("vm-vif-list", "vm=web", "--minimal"));
    }

    @Test
    void vbdAndVdiRecordsNameWhatTheyReferenceAsXapisXeDoes() {
        List<String> u = webVm();
        String vm = u.get(0), vdi = u.get(1), vbd = u.get(2), sr = u.get(5);
        assertEquals("uuid ( RO)             : " + vbd + "\n"
                + "          vm-uuid ( RO): " + vm + "\n"
                + "    vm-name-label ( RO): web\n"
                + "         vdi-uuid ( RO): " + vdi + "\n"
                + "            empty ( RO): false\n"
                + "           device ( RO): \n\n\n", ok("vbd-list", "vm-uuid=" + vm, "vdi-name-label=data"));
        String all = ok("vbd-param-list", "uuid=" + vbd);
        assertTrue(all.startsWith("uuid ( RO)                        : " + vbd + "\n"
                + "                     vm-uuid ( RO): " + vm + "\n"
                + "               vm-name-label ( RO): web\n"
                + "                    vdi-uuid ( RO): " + vdi + "\n"
                + "              vdi-name-label ( RO): data\n"
                + "          allowed-operations (SRO): "), all);
        assertTrue(all.contains("\n                  userdevice ( RW): 1\n"
                + "                    bootable ( RW): false\n"
                + "                        mode ( RW): RW\n"
                + "                        type ( RW): Disk\n"
                + "                 unpluggable ( RW): true\n"
                + "          currently-attached ( RO): false\n"), all);
        assertTrue(all.endsWith("        qos_algorithm_params (MRW): \n"
                + "    qos_supported_algorithms (SRO): \n"
                + "                other-config (MRW): \n\n\n"), all);
        assertEquals("uuid ( RO)                : " + vdi + "\n"
                + "          name-label ( RW): data\n"
                + "    name-description ( RW): \n"
                + "             sr-uuid ( RO): " + sr + "\n"
                + "        virtual-size ( RO): 1048576\n"
                + "            sharable ( RO): false\n"
                + "           read-only ( RO): false\n\n\n", ok("vdi-list", "sr-uuid=" + sr, "name-label=data"));
        assertEquals(vbd + "\n", ok("vdi-param-get", "uuid=" + vdi, "param-name=vbd-uuids"));
        assertEquals("Local storage\n", ok("vdi-param-get", "uuid=" + vdi, "param-name=sr-name-label"));
        // the datamodel's own names go on working for scripts written against them
        assertEquals(vm + "\n", ok("vbd-param-get", "uuid=" + vbd, "param-name=VM"));
        assertEquals(vbd + "\n", ok("vbd-list", "VM=" + vm, "--minimal"));
        assertEquals(vbd + "\n", ok("vdi-param-get", "uuid=" + vdi, "param-name=VBDs"));
        assertEquals(vdi + "\n", ok("vdi-list", "SR=" + sr, "name-label=data", "--minimal"));
        assertEquals("web\n", ok("vbd-list", "vm-uuid=" + vm, "params=vm-name-label", "--minimal"));
        Result readOnly = xe("vbd-param-set", "uuid=" + vbd, "vm-name-label=other");
        assertTrue(readOnly.err().endsWith("message: Failure: Field 'vm-name-label' is read-only.\n"), readOnly.err());
    }

    @Test
    void vifAndConsoleRecordsAsXapisXeShowsThem() {
        List<String> u = webVm();
        String vm = u.get(0), net = u.get(3), vif = u.get(4);
        assertEquals("uuid ( RO)            : " + vif + "\n"
                + "         vm-uuid ( RO): " + vm + "\n"
                + "          device ( RO): 0\n"
                + "    network-uuid ( RO): " + net + "\n\n\n", ok("vif-list", "vm-name-label=web"));
        assertEquals("lan\n", ok("vif-param-get", "uuid=" + vif, "param-name=network-name-label"));
        assertEquals(vif + "\n", ok("vif-list", "network-name-label=lan", "--minimal"));
        // the VM runtime writes a running VM's consoles; this one is written the same way
        String console = java.util.UUID.randomUUID().toString();
        String vmRef = node.db().refByUuid("VM", vm).orElseThrow();
        node.db().write(tx -> tx.put("console", "OpaqueRef:" + java.util.UUID.randomUUID(), Map.of("uuid", console,
                "protocol", "vt100", "VM", vmRef, "location", "https://127.0.0.1/console?uuid=" + console, "other_config", Map.of())));
        assertEquals("uuid ( RO)             : " + console + "\n"
                + "          vm-uuid ( RO): " + vm + "\n"
                + "    vm-name-label ( RO): web\n"
                + "         protocol ( RO): vt100\n"
                + "         location ( RO): https://127.0.0.1/console?uuid=" + console + "\n\n\n", ok("console-list"));
    }

    @Test
    void vtpmCreateAndDestroy() {
        String vm = webVm().get(0);
        String vtpm = ok("vtpm-create", "vm-uuid=" + vm).strip();
        assertEquals(vtpm + "\n", ok("vtpm-list", "vm-uuid=" + vm, "--minimal"));
        assertEquals("web\n", ok("vtpm-param-get", "uuid=" + vtpm, "param-name=vm-name-label"));
        Result unforced = xe("vtpm-destroy", "uuid=" + vtpm);
        assertEquals(1, unforced.code());
        assertTrue(unforced.err().contains("must be forced (use --force)"), unforced.err());
        assertEquals("", ok("vtpm-destroy", "uuid=" + vtpm, "--force"));
        assertEquals("\n", ok("vtpm-list", "--minimal"));
    }
}
