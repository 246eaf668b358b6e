package org.sciport.dataset.webhooks;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sciport.commons.error.ValidationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where a webhook may point: public http(s) addresses only, unless private ones are allowed.
 */
class DestinationsTests {

	private final Destinations strict = new Destinations(properties(false));

	@Test
	void internalAddressesAreRefused() {
		for (String url : List.of("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/",
				"http://172.16.0.9/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
				"http://[fd00::1]/", "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://0.0.0.0/")) {
			assertThatThrownBy(() -> this.strict.check(url)).as(url).isInstanceOf(ValidationException.class)
				.hasMessageContaining("internal address");
		}
	}

	@Test
	void onlyHttpUrlsWithAHostAndNoCredentialsAreTaken() {
		for (String url : List.of("ftp://93.184.216.34/", "file:///etc/passwd", "http:///path", "not a url",
				"https://user:password@93.184.216.34/")) {
			assertThatThrownBy(() -> this.strict.check(url)).as(url).isInstanceOf(ValidationException.class);
		}
		assertThat(this.strict.check("https://93.184.216.34/hooks/sciport").getHost()).isEqualTo("93.184.216.34");
	}

	@Test
	void privateAddressesMayBeAllowed() {
		assertThat(new Destinations(properties(true)).check("http://127.0.0.1:8080/hook").getPort()).isEqualTo(8080);
	}

	private static WebhookProperties properties(boolean allowPrivate) {
		return new WebhookProperties(allowPrivate, List.of(Duration.ofSeconds(5)), Duration.ofSeconds(10),
				Duration.ofDays(3), Duration.ofHours(24), Duration.ofSeconds(1), 16,
				new WebhookProperties.Secrets("", java.util.Map.of(), java.nio.file.Path.of("unused.key")));
	}

}
