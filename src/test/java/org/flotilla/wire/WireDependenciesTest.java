package org.flotilla.wire;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The codecs are shared with the xe CLI, so they must not drag in Jetty or the rest of the daemon. */
class WireDependenciesTest {
    @Test
    void wireDependsOnJacksonAndSelfContainedModelClassesOnly() {
        var wire = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.flotilla.wire");
        classes().that().resideInAPackage("org.flotilla.wire")
                .should().onlyDependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "java, Jackson, wire, ApiError, FloatText, XapiDateTime or Memo",
                        c -> c.getPackageName().startsWith("java")
                                || c.getPackageName().startsWith("com.fasterxml.jackson")
                                || c.getPackageName().equals("org.flotilla.wire")
                                || c.getName().equals("org.flotilla.model.ApiError")
                                || c.getName().equals("org.flotilla.model.FloatText")
                                || c.getName().equals("org.flotilla.model.XapiDateTime")
                                || c.getName().equals("org.flotilla.model.Memo")
                                || c.getName().equals("org.flotilla.model.Memo$Holder")
                                || c.isPrimitive() || c.isArray()))
                .check(wire);
    }
}
