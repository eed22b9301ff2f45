package io.llmproxy.systemtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module and package rules of DESIGN.md, one named rule each, over the built main classes. */
class ModuleBoundariesTest {

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.llmproxy");
    }

    @Test
    void commandSideNeverSeesProjectionsOrQuerySide() {
        noClasses().that().resideInAPackage("io.llmproxy.command..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmproxy.projection..", "io.llmproxy.query..")
                .check(classes);
    }

    @Test
    void noModuleSeesProxyEdge() {
        noClasses().that().resideOutsideOfPackage("io.llmproxy.edge..")
                .should().dependOnClassesThat().resideInAPackage("io.llmproxy.edge..")
                .check(classes);
    }

    @Test
    void proxyEdgeSeesOnlySharedKernel() {
        noClasses().that().resideInAPackage("io.llmproxy.edge..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmproxy.command..", "io.llmproxy.query..",
                        "io.llmproxy.projection..", "io.llmproxy.simulator..")
                .check(classes);
    }

    @Test
    void projectionsNeverSeeQuerySideOrCommandSide() {
        noClasses().that().resideInAPackage("io.llmproxy.projection..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmproxy.query..", "io.llmproxy.command..")
                .check(classes);
    }

    @Test
    void sharedKernelDependsOnJavaJacksonAnnotationsAndAxonAnnotationsOnly() {
        classes().that().resideInAPackage("io.llmproxy.kernel..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..", "io.llmproxy.kernel..",
                        "com.fasterxml.jackson.annotation..", "org.axonframework.modelling.command",
                        "org.axonframework.serialization")
                .check(classes);
    }

    @Test
    void oneProviderNeverImportsAnother() {
        slices().matching("io.llmproxy.edge.provider.(*)..").should().notDependOnEachOther().check(classes);
    }

    @Test
    void decidersAndTranslatorsImportNoSpringReactorJpaOrKafka() {
        noClasses().that().haveSimpleNameEndingWith("Rules").or().haveSimpleNameEndingWith("Translator")
                .or().haveSimpleNameEndingWith("Codec")
                .or().resideInAPackage("io.llmproxy.edge.stream..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "reactor..",
                        "jakarta.persistence..", "org.apache.kafka..", "io.netty..")
                .check(classes);
    }

    @Test
    void adminWebIsSharedByTheAdminAppsOnly() {
        // of the domain, admin-web sees only the permission table (kernel.access): the one matrix it enforces;
        // besides it, kernel.web: web rules shared with the edge (BrowserOrigins), no domain in it; and
        // kernel.replay: the SQL that tells a replay is rebuilding the role assignments (ReplayFence, ADR 0023)
        noClasses().that().resideInAPackage("io.llmproxy.adminweb..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmproxy.command..", "io.llmproxy.query..",
                        "io.llmproxy.projection..", "io.llmproxy.edge..")
                .check(classes);
        noClasses().that().resideInAPackage("io.llmproxy.adminweb..")
                .should().dependOnClassesThat(com.tngtech.archunit.core.domain.JavaClass.Predicates
                        .resideInAPackage("io.llmproxy.kernel..")
                        .and(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages(
                                "io.llmproxy.kernel.access..", "io.llmproxy.kernel.web..", "io.llmproxy.kernel.replay..")))
                .check(classes);
        noClasses().that().resideInAnyPackage("io.llmproxy.edge..", "io.llmproxy.projection..", "io.llmproxy.kernel..")
                .should().dependOnClassesThat().resideInAPackage("io.llmproxy.adminweb..")
                .check(classes);
    }

    @Test
    void simulatorIsSelfContained() {
        noClasses().that().resideInAPackage("io.llmproxy.simulator..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmproxy.command..", "io.llmproxy.query..",
                        "io.llmproxy.projection..", "io.llmproxy.edge..", "io.llmproxy.kernel..")
                .check(classes);
    }
}
