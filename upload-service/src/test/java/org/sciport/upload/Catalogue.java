package org.sciport.upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.sciport.dataset.DatasetServiceApplication;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The real dataset-service, started once per test JVM on its own database and the shared
 * broker, trusting the same test key: upload-service asks it who may upload where, and it
 * shows what the uploads did to the catalogue.
 */
public final class Catalogue {

	private static ConfigurableApplicationContext context;

	private Catalogue() {
	}

	public static synchronized String url() {
		if (context == null) {
			String database = TestInfrastructure.createDatabase("upload_catalogue");
			TestInfrastructure.Postgres postgres = TestInfrastructure.postgres();
			String[] arguments = { "--server.port=0", "--spring.main.web-application-type=reactive",
					"--server.address=127.0.0.1", "--spring.kafka.bootstrap-servers=" + TestInfrastructure.kafkaBootstrap(),
					"--sciport.database.url=" + database, "--sciport.database.username=" + postgres.username(),
					"--sciport.database.password=" + postgres.password() };
			context = DatasetServiceApplication.builder().sources(TestTokens.class, OwnNettyResources.class).run(arguments);
			Runtime.getRuntime().addShutdownHook(new Thread(context::close, "stop-test-catalogue"));
		}
		return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	/**
	 * Points upload-service at a fresh database, the shared broker, fresh storage and the
	 * catalogue.
	 */
	public static void register(DynamicPropertyRegistry registry, String databasePrefix) {
		TestInfrastructure.register(registry, databasePrefix);
		Path storage;
		try {
			storage = Files.createTempDirectory("sciport-blobs-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		registry.add("sciport.upload.storage-directory", storage::toString);
		registry.add("sciport.upload.spool-directory", () -> storage.resolve(".spool").toString());
		registry.add("sciport.upload.dataset-service", Catalogue::url);
	}

}
