package org.flotilla;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: model ← db ← api ← subsystems ← daemon; wire and cli stay clients; os (the C
 * library calls) ← jail ← subsystems, and neither of those two knows the datamodel.
 */
class LayeringTest {
    @Test
    void dependenciesPointOneWay() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.flotilla");
        layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
                .layer("os").definedBy("org.flotilla.os..")
                .layer("jail").definedBy("org.flotilla.jail..")
                .layer("model").definedBy("org.flotilla.model..")
                .layer("db").definedBy("org.flotilla.db..")
                .layer("api").definedBy("org.flotilla.api..")
                .layer("wire").definedBy("org.flotilla.wire..")
                .layer("subsystems").definedBy("org.flotilla.host..", "org.flotilla.pool..", "org.flotilla.storage..",
                        "org.flotilla.network..", "org.flotilla.qemu..", "org.flotilla.vm..")
                .layer("actions").definedBy("org.flotilla.actions..")
                .layer("server").definedBy("org.flotilla.server..")
                .layer("cli").definedBy("org.flotilla.cli..")
                .layer("daemon").definedBy("org.flotilla.daemon..")
                .whereLayer("daemon").mayNotBeAccessedByAnyLayer()
                .whereLayer("cli").mayOnlyBeAccessedByLayers("daemon")
                .whereLayer("server").mayOnlyBeAccessedByLayers("daemon")
                .whereLayer("actions").mayOnlyBeAccessedByLayers("daemon")
                .whereLayer("subsystems").mayOnlyBeAccessedByLayers("subsystems", "actions", "daemon")
                .whereLayer("api").mayOnlyBeAccessedByLayers("subsystems", "actions", "server", "cli", "daemon")
                .whereLayer("wire").mayOnlyBeAccessedByLayers("server", "cli", "daemon")
                .whereLayer("db").mayOnlyBeAccessedByLayers("api", "subsystems", "actions", "daemon")
                .whereLayer("jail").mayOnlyBeAccessedByLayers("subsystems", "daemon")
                .whereLayer("os").mayOnlyBeAccessedByLayers("jail", "subsystems", "daemon")
                .check(classes);
    }
}
