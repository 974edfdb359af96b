package dev.agentkernel.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which way the dependencies point (ARCHITECTURE.md), checked on the compiled classes of every
 * module (this module's class path has them all): a dependency the wrong way fails the build.
 */
class ArchitectureTest {

    static JavaClasses all;

    @BeforeAll
    static void importClasses() {
        all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // the test-jars (agentkernel-image's TestImages) as installed jars, outside the reactor
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.agentkernel");
    }

    @Test
    void theContractIsJdkAndJacksonOnly() {
        classes().that().resideInAPackage("dev.agentkernel.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.fasterxml.jackson..",
                        "dev.agentkernel.api..")
                .check(all);
    }

    @Test
    void theModelIsJdkOnly() {
        classes().that().resideInAPackage("dev.agentkernel.model..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.agentkernel.model..")
                .check(all);
    }

    @Test
    void coreDoesNotKnowTheWiresHttpDetails() {
        noClasses().that().resideInAnyPackage("dev.agentkernel.core..", "dev.agentkernel.model..",
                        "dev.agentkernel.agent..")
                .should().dependOnClassesThat().resideInAnyPackage("io.helidon..", "java.net.http..",
                        "dev.agentkernel.server..", "dev.agentkernel.client..", "dev.agentkernel.cli..",
                        "dev.agentkernel.mcp..", "io.modelcontextprotocol..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.agentkernel.api.ApiRoutes")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.agentkernel.api.OpenApi")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.agentkernel.api.ErrorBody")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.agentkernel.api.HealthBody")
                .check(all);
    }

    @Test
    void theSdkDependsOnNoServerModule() {
        classes().that().resideInAPackage("dev.agentkernel.client..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.fasterxml.jackson..",
                        "dev.agentkernel.client..", "dev.agentkernel.api..")
                .check(all);
    }

    @Test
    void theMcpToolsDoNotKnowTheHttpServer() {
        noClasses().that().resideInAPackage("dev.agentkernel.mcp..")
                .should().dependOnClassesThat().resideInAnyPackage("io.helidon..", "dev.agentkernel.server..",
                        "dev.agentkernel.cli..", "dev.agentkernel.client..")
                .check(all);
    }

    @Test
    void theCliRunPathReachesNoServerClass() {
        noClasses().that().haveFullyQualifiedName(RunCommand.class.getName())
                .should().transitivelyDependOnClassesThat().resideInAnyPackage("dev.agentkernel.server..",
                        "io.helidon..", "dev.agentkernel.mcp..", "io.modelcontextprotocol..", "dev.agentkernel.store..")
                .check(all);
    }

    /**
     * The test support (agentkernel-testing) is for tests: no shipped class uses it, and it uses no
     * module of ours (only the DNS library, for the egress tests' upstream resolver).
     */
    @Test
    void nothingShippedUsesTheTestSupport() {
        noClasses().that().resideInAPackage("dev.agentkernel..").and().resideOutsideOfPackages(
                        "dev.agentkernel.testing..", "dev.agentkernel.bench..")
                .should().dependOnClassesThat().resideInAPackage("dev.agentkernel.testing..")
                .check(all);
        classes().that().resideInAPackage("dev.agentkernel.testing..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.junit..",
                        "dev.agentkernel.testing..", "org.xbill.DNS..")
                .check(all);
    }
}
