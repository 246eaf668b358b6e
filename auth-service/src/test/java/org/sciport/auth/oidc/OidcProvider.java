package org.sciport.auth.oidc;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real OpenID Connect provider (mock-oauth2-server) in a JVM of its own, issuing for the
 * issuer {@code orcid} ID tokens for one fixed person.
 */
final class OidcProvider implements AutoCloseable {

	static final String CONFIG = """
			{"interactiveLogin": false, "httpServer": "NettyWrapper",
			 "tokenCallbacks": [{"issuerId": "orcid", "tokenExpiry": 120,
			   "requestMappings": [{"requestParam": "grant_type", "match": "*",
			     "claims": {"sub": "0000-0002-1825-0097", "email": "curie@example.org", "email_verified": true,
			                "name": "Marie Curie", "aud": ["sciport-client"]}}]},
			  {"issuerId": "lab", "tokenExpiry": 120,
			   "requestMappings": [{"requestParam": "grant_type", "match": "*",
			     "claims": {"sub": "lab-42", "email": "curie@example.org", "email_verified": false,
			                "name": "Somebody", "aud": ["sciport-client"]}}]}]}
			""";

	private final Process process;

	private final int port;

	private OidcProvider(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	static OidcProvider start() {
		Path lib = Path.of(System.getProperty("sciport.test.oidc.lib", "../test-oidc-provider/target/lib"));
		if (!Files.isDirectory(lib)) {
			throw new IllegalStateException("The test OIDC provider is not built: " + lib.toAbsolutePath()
					+ " (build the test-oidc-provider module first)");
		}
		int port = freePort();
		try {
			Path log = Files.createTempFile("oidc-provider-", ".log");
			ProcessBuilder builder = new ProcessBuilder(
					Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
					lib.toAbsolutePath() + File.separator + "*", "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt")
				.redirectErrorStream(true)
				.redirectOutput(log.toFile());
			builder.environment().put("SERVER_PORT", Integer.toString(port));
			builder.environment().put("JSON_CONFIG", CONFIG);
			OidcProvider provider = new OidcProvider(builder.start(), port);
			provider.awaitDiscovery(Duration.ofSeconds(60));
			return provider;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	String issuer() {
		return issuer("orcid");
	}

	String issuer(String id) {
		return "http://localhost:" + this.port + "/" + id;
	}

	private void awaitDiscovery(Duration timeout) {
		HttpClient http = HttpClient.newHttpClient();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("The OIDC provider exited with " + this.process.exitValue());
			}
			try {
				HttpResponse<Void> response = http.send(
						HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration")).build(),
						HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not up yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		throw new IllegalStateException("The OIDC provider did not start within " + timeout);
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			this.process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
