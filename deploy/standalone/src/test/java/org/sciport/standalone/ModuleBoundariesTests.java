package org.sciport.standalone;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module boundaries of the architecture, checked over the whole suite's class path: the
 * services and the gateway never reach into each other, and commons depends on none of them.
 */
class ModuleBoundariesTests {

	private static final JavaClasses SUITE = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("org.sciport");

	@Test
	void servicesAndTheGatewayAreIndependentOfEachOther() {
		slices().matching("org.sciport.(auth|upload|dataset|harvest|workflow|gateway)..")
			.should()
			.notDependOnEachOther()
			.check(SUITE);
	}

	@Test
	void commonsDependsOnNoServiceNorOnTheRuntime() {
		noClasses().that()
			.resideInAPackage("org.sciport.commons..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.sciport.auth..", "org.sciport.upload..", "org.sciport.dataset..",
					"org.sciport.harvest..", "org.sciport.workflow..", "org.sciport.gateway..",
					"org.sciport.standalone..", "org.sciport.embedded..")
			.check(SUITE);
	}

}
