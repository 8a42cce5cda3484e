package org.flotilla.runtime.domain;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * OVMF's code images and the variable stores a VM's own store starts as: plain, and for Secure Boot the
 * secboot build with Microsoft's keys already enrolled (what Windows' boot loader is signed with).
 */
public record UefiImages(Path code, Path varsTemplate, Path secureCode, Path secureVarsTemplate) {
    /** Debian's ovmf package. */
    public static UefiImages debian() {
        Path d = Path.of("/usr/share/OVMF");
        return new UefiImages(d.resolve("OVMF_CODE_4M.fd"), d.resolve("OVMF_VARS_4M.fd"), d.resolve("OVMF_CODE_4M.secboot.fd"),
                d.resolve("OVMF_VARS_4M.ms.fd"));
    }

    /** Whether Secure Boot can be offered: platform:secureboot=auto turns it on then. */
    public boolean secureBootAvailable() { return Files.isRegularFile(secureCode) && Files.isRegularFile(secureVarsTemplate); }
}
