package org.flotilla.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.flotilla.model.xenapi.XenApi;
import org.junit.jupiter.api.Test;

/** The declaration loads, derives what XAPI clients call, and refuses inconsistent declarations. */
class ModelTest {
    private final Model model = XenApi.model();

    @Test
    void derivesTheMessagesClientsCall() {
        for (String m : List.of("VM.get_all_records", "VM.get_record", "VM.get_by_uuid", "VM.get_by_name_label",
                "VM.get_power_state", "VM.set_name_label", "VM.add_to_other_config", "VM.remove_from_other_config",
                "VM.add_tags", "VM.get_VBDs", "host.get_API_version_major", "pool.get_all", "SR.get_all_records_where",
                "session.login_with_password", "event.from", "task.cancel", "VLAN.get_all_records", "PGPU.get_all_records")) {
            assertTrue(model.message(m).isPresent(), m);
        }
        assertTrue(model.message("VM.set_power_state").isEmpty(), "read-only fields have no setter");
        assertTrue(model.message("event.get_all").isEmpty(), "event is a shape of value, not a stored class");
        assertEquals(Qualifier.DYNAMIC_RO, model.classDef("VM").field("VBDs").qualifier());
        assertEquals("VBD.VM", model.classDef("VM").field("VBDs").relation());
        assertEquals("Halted", model.classDef("VM").field("power_state").defaultValue());
    }

    @Test
    void errorsCarryXapiParameterNames() {
        assertEquals(List.of("vm", "expected", "actual"), model.error("VM_BAD_POWER_STATE").orElseThrow().params());
        assertEquals(List.of("class", "handle"), model.error("HANDLE_INVALID").orElseThrow().params());
    }

    @Test
    void aBrokenDeclarationStopsTheLoad() {
        var vm = classWith("VM", new FieldDef("host", Type.ref("nowhere"), Qualifier.RW, ClassDef.NULL_REF, null, ""));
        var e = assertThrows(IllegalStateException.class, () -> new Model(List.of(vm), List.of()));
        assertTrue(e.getMessage().contains("unknown class nowhere"), e.getMessage());
        var badRelation = classWith("host", new FieldDef("VMs", Type.setOf(Type.ref("host")), Qualifier.DYNAMIC_RO, List.of(), "host.name_label", ""));
        assertThrows(IllegalStateException.class, () -> new Model(List.of(badRelation), List.of()));
    }

    private static ClassDef classWith(String name, FieldDef field) {
        return new ClassDef(name, "", java.util.Map.of(field.name(), field), List.of(), true, true, true, true, false, false);
    }

    @Test
    void docsCoverEveryMessageAndError() {
        String docs = ApiDocs.markdown(model);
        assertTrue(docs.contains("| login_with_password | string uname, string pwd, string version = 1.1, string originator =  |"), docs.substring(0, 200));
        assertTrue(docs.contains("| VM_BAD_POWER_STATE | vm, expected, actual |"));
        assertTrue(docs.contains("## Class VM_guest_metrics"));
    }

    @Test
    void everyClassFieldAndDeclaredMessageIsDescribed() {
        for (ClassDef c : model.classes()) {
            assertFalse(c.doc().isBlank(), c.name());
            for (FieldDef f : c.fields().values()) assertFalse(f.doc().isBlank(), c.name() + "." + f.name());
        }
        for (MessageDef m : model.messages()) if (m.declared()) assertFalse(m.doc().isBlank(), m.wireName());
    }

    @Test
    void docsPrintTheDescriptions() {
        String docs = ApiDocs.markdown(model);
        ClassDef vm = model.classDef("VM");
        assertTrue(docs.contains("## Class VM\n\n" + vm.doc() + "\n"), "class description");
        assertTrue(docs.contains("- [VM](#class-vm): " + vm.doc() + "\n"), "class list");
        assertTrue(docs.contains(" | " + vm.field("power_state").doc() + " |\n"), "field description");
        assertTrue(docs.contains("| start | VM ref vm, bool start_paused, bool force | void | "
                + model.message("VM.start").orElseThrow().doc() + " | async; errors: "), "declared message description");
        assertTrue(docs.contains("| get_power_state | VM ref self | "), "derived message");
        assertTrue(docs.contains(" | The object's power_state. | derived |\n"), "derived message description");
        assertTrue(docs.contains(" | " + model.classDef("SR").field("type").doc() + " |\n"));
        assertTrue(docs.contains(model.message("VBD.plug").orElseThrow().doc()));
    }
}
