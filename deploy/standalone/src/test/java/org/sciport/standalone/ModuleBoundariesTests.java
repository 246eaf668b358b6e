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

	/**
	 * No package of a module depends, through others, on itself.
	 */
	@Test
	void noModulesPackagesDependOnEachOtherInACircle() {
		slices().matching("org.sciport.(*).(*)..")
			.should()
			.beFreeOfCycles()
			.check(SUITE);
	}

	/**
	 * Controllers translate HTTP; the rules and the SQL live in services.
	 */
	@Test
	void controllersNeverTouchTheDatabase() {
		noClasses().that()
			.areAnnotatedWith(org.springframework.web.bind.annotation.RestController.class)
			.should()
			.dependOnClassesThat()
			.areAssignableTo(org.springframework.r2dbc.core.DatabaseClient.class)
			.check(SUITE);
	}

	/**
	 * Seed surfaces are thin adapters: they call services, never the database.
	 */
	@Test
	void seedAdaptersCallServicesOnly() {
		noClasses().that()
			.resideInAnyPackage("org.sciport.dataset.portal..")
			.should()
			.dependOnClassesThat()
			.areAssignableTo(org.springframework.r2dbc.core.DatabaseClient.class)
			.check(SUITE);
	}

}
