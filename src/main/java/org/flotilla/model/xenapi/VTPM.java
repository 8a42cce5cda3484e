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

/** A VM's virtual TPM 2.0, run by an swtpm beside its QEMU; its state is kept in a secret so copies carry it. */
public interface VTPM {
    ApiClass<VTPM> CLASS = ApiClass.declare(VTPM.class, "VTPM")
            .doc("A VM's virtual TPM 2.0, run by an swtpm beside its QEMU; its state is kept in a secret so copies carry it.");

    Field<VTPM, String> uuid = CLASS.dyn("uuid", STRING).doc("The virtual TPM's unique identifier, fixed for its whole life.");
    Field<VTPM, List<VtpmOperations>> allowed_operations = CLASS.dyn("allowed_operations", setOf(enumOf(VtpmOperations.class)))
            .doc("The operations that may be started on the virtual TPM now (destroy only while its VM is halted).");
    Field<VTPM, Map<String, VtpmOperations>> current_operations = CLASS.dyn("current_operations", mapOf(STRING, enumOf(VtpmOperations.class)))
            .doc("The operations under way on the virtual TPM, each under the reference of the task that runs it.");
    Field<VTPM, Ref<VM>> VM = CLASS.ro("VM", ref(VM.class)).doc("The VM the TPM belongs to.");
    Field<VTPM, Ref<VM>> backend = CLASS.dyn("backend", ref(VM.class))
            .doc("The domain that runs the TPM's backend; NULL, as swtpm runs on the host.");
    Field<VTPM, PersistenceBackend> persistence_backend = CLASS.dyn("persistence_backend", enumOf(PersistenceBackend.class))
            .doc("Where the TPM's state is kept between boots: xapi, the database.");
    Field<VTPM, Boolean> is_unique = CLASS.ro("is_unique", BOOL)
            .doc("Whether the TPM's state must exist once only: clones and copies then get an empty TPM.");
    Field<VTPM, Boolean> is_protected = CLASS.dyn("is_protected", BOOL)
            .doc("Whether the TPM's state is protected by the host; always false with Flotilla.");
    Field<VTPM, Ref<Secret>> contents = CLASS.dyn("contents", ref(Secret.class))
            .doc("The secret holding the TPM's saved state (base64 of swtpm's state file), written back when the VM stops.");

    /** The messages of VTPM that need code: one implementation serves them all. */
    interface Actions {
        @Doc("Give a halted VM a virtual TPM, with empty state; a VM may have one.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"FEATURE_RESTRICTED", "VTPM_MAX_AMOUNT_REACHED", "VM_BAD_POWER_STATE"})
        Ref<VTPM> create(Ref<VM> vM, boolean is_unique);

        @Doc("Remove a virtual TPM and its saved state; its VM must be halted or suspended.")
        @Api(role = Access.VM_ADMIN, async = true, errors = {"VM_BAD_POWER_STATE"})
        void destroy(Ref<VTPM> self);

        @Doc("The TPM's saved state, base64-encoded.")
        @Api(async = true)
        String get_contents(Ref<VTPM> self);

        @Doc("Replace the TPM's saved state (base64); the VM uses it from its next boot.")
        @Api(async = true)
        void set_contents(Ref<VTPM> self, String contents);
    }
}
