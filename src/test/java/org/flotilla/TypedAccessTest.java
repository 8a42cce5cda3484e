package org.flotilla;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Set;
import org.flotilla.api.Call;
import org.flotilla.db.Database;
import org.flotilla.db.DbObject;
import org.junit.jupiter.api.Test;

/**
 * Outside the model, the database, the codecs and the code that serves every class alike (derived messages,
 * events, xe's derived commands), no code reaches a record, a field or an argument by its name: it goes
 * through the declarations' typed fields and references, so that a renamed field breaks the build there.
 */
class TypedAccessTest {
    private static final Set<Class<?>> STORES = Set.of(Database.class, Database.Tx.class, DbObject.class, Call.class);

    /** Generic by nature: they serve every class from the model's metadata. */
    private static final List<String> GENERIC = List.of(
            "org.flotilla.model..", "org.flotilla.db..", "org.flotilla.wire..");

    private static final Set<String> GENERIC_CLASSES = Set.of(
            "org.flotilla.api.Dispatcher", "org.flotilla.api.DerivedMessages", "org.flotilla.api.Coerce",
            "org.flotilla.api.Events", "org.flotilla.api.Call", "org.flotilla.api.Implementations");

    @Test
    void recordsAndArgumentsAreReachedThroughTypedFields() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.flotilla");
        noClasses().that().resideOutsideOfPackages(GENERIC.toArray(String[]::new))
                .and(new DescribedPredicate<>("are not generic") {
                    @Override public boolean test(com.tngtech.archunit.core.domain.JavaClass c) {
                        return !GENERIC_CLASSES.contains(c.getName().replaceAll("\\$.*", ""));
                    }
                })
                .should().callMethodWhere(new DescribedPredicate<JavaMethodCall>("a class, field or argument is named by a string") {
                    @Override public boolean test(JavaMethodCall call) {
                        if (STORES.stream().noneMatch(s -> call.getTargetOwner().isEquivalentTo(s))) return false;
                        JavaCodeUnit target = call.getTarget().resolveMember().orElse(null);
                        if (target == null) return false;
                        var params = target.getRawParameterTypes();
                        return !params.isEmpty() && params.getFirst().isEquivalentTo(String.class);
                    }
                })
                .check(classes);
    }
}
