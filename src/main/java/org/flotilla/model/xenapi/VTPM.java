package org.flotilla.model.xenapi;

import static org.flotilla.model.DataType.*;

import java.util.List;
import java.util.Map;
import org.flotilla.model.Access;
import org.flotilla.model.Api;
import org.flotilla.model.ApiClass;
import org.flotilla.model.Doc;
import org.flotilla.model.Field;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.enums.PersistenceBackend;
import org.flotilla.model.xenapi.enums.VtpmOperations;

/** The XenAPI's class VTPM. */
public interface VTPM {
    ApiClass<VTPM> CLASS = ApiClass.declare(VTPM.class, "VTPM");

    Field<VTPM, String> uuid = CLASS.dyn("uuid", STRING).doc("Unique identifier");
    Field<VTPM, List<VtpmOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VtpmOperations.class)));
    Field<VTPM, Map<String, VtpmOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VtpmOperations.class)));
    Field<VTPM, Ref<VM>> VM = CLASS.ro("VM", ref(VM.class));
    Field<VTPM, Ref<VM>> backend = CLASS.dyn("backend", ref(VM.class));
    Field<VTPM, PersistenceBackend> persistence_backend = CLASS.dyn("persistence_backend", enumOf(PersistenceBackend.class));
    Field<VTPM, Boolean> is_unique = CLASS.ro("is_unique", BOOL);
    Field<VTPM, Boolean> is_protected = CLASS.dyn("is_protected", BOOL);
    Field<VTPM, Ref<Secret>> contents = CLASS.dyn("contents", ref(Secret.class));

    /** The messages of VTPM that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Give a halted VM a virtual TPM, with empty state")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"FEATURE_RESTRICTED", "VTPM_MAX_AMOUNT_REACHED", "VM_BAD_POWER_STATE"})
        Ref<VTPM> create(Ref<VM> vM, boolean is_unique);

        @Doc("Remove a virtual TPM and everything stored in it")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE"})
        void destroy(Ref<VTPM> self);

        @Doc("The TPM's saved state, base64-encoded")
        @Api(async = true)
        String get_contents(Ref<VTPM> self);

        @Doc("Replace the TPM's saved state (base64) with new contents, used from its next boot")
        @Api(async = true)
        void set_contents(Ref<VTPM> self, String contents);
    }
}
