package org.flotilla.vm;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.Ref;
import org.flotilla.model.xenapi.VIF;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.VmOperations;
import org.flotilla.model.xenapi.enums.VmPowerState;

/**
 * NICs that VIF.unplug_force cut off while the guest still holds them: the VIF is no longer currently_attached, yet
 * its runtime_properties still name the tap its VM's QEMU keeps open. A QEMU made from the records, at a migration's
 * destination or at resume, would lack that device and could not take in the running one's state; so the VM's memory
 * may be neither moved nor saved until the guest lets go.
 */
public final class HeldNics {
    /** The VIF runtime_properties key naming its tap while the host has one for it. */
    public static final String TAP_KEY = "tap";
    /** The operations that move or save a running VM's memory. */
    static final Set<VmOperations> MEMORY_MOVES = EnumSet.of(VmOperations.pool_migrate, VmOperations.migrate_send,
            VmOperations.suspend, VmOperations.checkpoint);

    private HeldNics() {}

    /** Whether the VIF's NIC was cut off with its tap still held. */
    public static boolean isHeld(DbObject<VIF> vif) {
        return !vif.get(VIF.currently_attached) && vif.get(VIF.runtime_properties).containsKey(TAP_KEY);
    }

    /** The first NIC of a running or paused VM that its guest holds after it was cut off. */
    public static Optional<DbObject<VIF>> firstOf(Database db, DbObject<VM> vm) {
        VmPowerState power = vm.get(VM.power_state);
        if (power != VmPowerState.Running && power != VmPowerState.Paused) return Optional.empty();
        return db.referring(VIF.VM, vm.self(VM.CLASS)).stream().filter(HeldNics::isHeld).findFirst();
    }

    /** OPERATION_NOT_ALLOWED naming the NIC; {@code what}: the VM's memory "saved", or "moved". */
    public static ApiError refusal(Ref<VM> vm, DbObject<VIF> nic, String what) {
        return ApiError.of("OPERATION_NOT_ALLOWED", "the guest of VM " + vm.value() + " still holds NIC " + nic.get(VIF.device)
                + " (VIF " + nic.ref() + "), which VIF.unplug_force cut off; its memory cannot be " + what
                + " until the guest lets go of it");
    }

    /** The refusal of {@code op} on {@code vm}, if it moves or saves the memory of a VM whose guest holds a cut-off NIC. */
    static Optional<ApiError> refusalOf(Database db, DbObject<VM> vm, VmOperations op) {
        if (!MEMORY_MOVES.contains(op)) return Optional.empty();
        String what = op == VmOperations.suspend || op == VmOperations.checkpoint ? "saved" : "moved";
        return firstOf(db, vm).map(nic -> refusal(vm.self(VM.CLASS), nic, what));
    }
}
