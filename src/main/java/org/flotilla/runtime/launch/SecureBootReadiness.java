package org.flotilla.runtime.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import org.flotilla.db.DbObject;
import org.flotilla.model.ApiError;
import org.flotilla.model.xenapi.VM;
import org.flotilla.model.xenapi.enums.PoolGuestSecurebootReadiness;
import org.flotilla.model.xenapi.enums.VmSecurebootReadiness;
import org.flotilla.runtime.domain.UefiImages;
import org.flotilla.vm.EfiVariables;
import org.flotilla.vm.UefiVariableStore;

/**
 * Whether VMs would boot with UEFI Secure Boot, by XAPI's rules: a VM by its firmware, its platform:secureboot (auto
 * settled as VM.start settles it) and the keys in its own variable store; the pool by the keys in the store a VM's
 * starts as (OVMF's, with Microsoft's keys), where XAPI looks at the .auth files its VMs' stores are made from.
 */
public final class SecureBootReadiness {
    private final LaunchSpecs specs;

    public SecureBootReadiness(LaunchSpecs specs) { this.specs = specs; }

    /** VM.get_secureboot_readiness; INVALID_VALUE for an HVM_boot_params firmware other than bios or uefi, as XAPI. */
    public VmSecurebootReadiness of(DbObject<VM> vm) {
        String firmware = vm.get(VM.HVM_boot_params).getOrDefault(LaunchSpecs.FIRMWARE, "");
        if (!firmware.isEmpty() && !firmware.equalsIgnoreCase("bios") && !firmware.equalsIgnoreCase("uefi")) {
            throw ApiError.of("INVALID_VALUE", "HVM-boot-params['firmware']", firmware);
        }
        if (!LaunchSpecs.wantsUefi(vm)) return VmSecurebootReadiness.not_supported;
        if (!Viridian.isTrue(specs.platformAtStart(vm).get(LaunchSpecs.SECURE_BOOT_KEY))) return VmSecurebootReadiness.disabled;
        String store = vm.get(VM.NVRAM).getOrDefault(EfiVariables.KEY, "");
        if (store.isEmpty()) return VmSecurebootReadiness.first_boot;
        Set<String> keys = UefiVariableStore.names(EfiVariables.decode(store));
        if (!keys.contains("PK")) return VmSecurebootReadiness.setup_mode;
        if (!keys.contains("KEK") || !keys.contains("db")) return VmSecurebootReadiness.certs_incomplete;
        return keys.contains("dbx") ? VmSecurebootReadiness.ready : VmSecurebootReadiness.ready_no_dbx;
    }

    /** pool.get_guest_secureboot_readiness, from OVMF's {@code images}. */
    public static PoolGuestSecurebootReadiness ofPool(UefiImages images) {
        if (!images.secureBootAvailable()) return PoolGuestSecurebootReadiness.not_ready;
        Set<String> keys;
        try {
            keys = UefiVariableStore.names(Files.readAllBytes(images.secureVarsTemplate()));
        } catch (IOException e) {
            return PoolGuestSecurebootReadiness.not_ready;
        }
        if (!keys.containsAll(Set.of("PK", "KEK", "db"))) return PoolGuestSecurebootReadiness.not_ready;
        return keys.contains("dbx") ? PoolGuestSecurebootReadiness.ready : PoolGuestSecurebootReadiness.ready_no_dbx;
    }
}
