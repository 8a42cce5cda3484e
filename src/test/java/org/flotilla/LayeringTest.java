package org.flotilla;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layers, from the bottom: each package may be used only by the packages above it in {@link #BOTTOM_UP},
 * so two subsystems cannot use each other (a cycle between host, storage, network and vm fails here), and
 * no package anywhere, subpackages included, is part of a cycle.
 */
class LayeringTest {
    /** Bottom to top; see docs/design.md for what each is. */
    static final List<String> BOTTOM_UP = List.of(
            "os",       // the C library calls the JDK lacks; knows nothing of the XenAPI
            "jail",     // what confines a QEMU
            "qemu",     // QMP, and the choice of accelerator
            "model",    // the XenAPI declared
            "db",       // the pool database
            "raft",     // the pool database replicated among the members (Apache Ratis)
            "api",      // dispatch, derived messages, sessions, tasks, events
            "host",     // this host's own record and facts
            "pool",     // the pool object
            "storage",  // SRs and VDIs
            "vm",       // VM and VBD records, the operations' rules, templates, clones
            "runtime",  // VMs as QEMU processes
            "network",  // networks, bridges, VIFs' taps, PIFs: plugs its taps into the runtime
            "metrics",  // RRDs of host and VM readings
            "actions",  // the code of each class's messages
            "wire",     // the codecs
            "xva",      // whole VMs as XAPI's XVA packages, over HTTP
            "server",   // the HTTPS endpoints
            "cli",      // xe
            "daemon");  // the assembly

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.flotilla");

    @Test
    void eachLayerIsUsedOnlyByTheLayersAboveIt() {
        var rule = layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true);
        for (String layer : BOTTOM_UP) rule = rule.layer(layer).definedBy("org.flotilla." + layer + "..");
        for (int i = 0; i < BOTTOM_UP.size(); i++) {
            List<String> above = BOTTOM_UP.subList(i + 1, BOTTOM_UP.size());
            rule = above.isEmpty() ? rule.whereLayer(BOTTOM_UP.get(i)).mayNotBeAccessedByAnyLayer()
                    : rule.whereLayer(BOTTOM_UP.get(i)).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
        }
        rule.check(CLASSES);
    }

    @Test
    void noPackageIsPartOfACycle() {
        slices().matching("org.flotilla.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void everyPackageHasItsLayer() {
        var unplaced = CLASSES.stream().map(c -> c.getPackageName().substring("org.flotilla".length()))
                .map(p -> p.isEmpty() ? "" : p.substring(1).split("\\.")[0])
                .filter(top -> !BOTTOM_UP.contains(top)).distinct().toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), unplaced, "packages with no layer");
    }

    /** A test class named as a class of the product hides it on the tests' class path: the daemons they start run the test's. */
    @Test
    void noTestClassHasTheNameOfAProductClass() throws java.io.IOException {
        var main = java.nio.file.Path.of("src/main/java");
        var test = java.nio.file.Path.of("src/test/java");
        try (var files = java.nio.file.Files.walk(test)) {
            var shadowing = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> java.nio.file.Files.exists(main.resolve(test.relativize(f)))).map(Object::toString).toList();
            org.junit.jupiter.api.Assertions.assertEquals(List.of(), shadowing, "test classes named as product classes");
        }
    }
}
