package org.sciport.auth.tokens;

import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sciport.auth.Accounts;
import org.sciport.auth.AuthServiceIntegrationTest;
import org.sciport.commons.web.ClientAddresses;
import org.sciport.testsupport.TestInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Password guessing is bounded per account and address, a stranger cannot lock the owner out,
 * and only the gateway can say where a sign-in came from. Addresses are vouched for with the
 * gateway's key, as the gateway does for every request it passes on.
 */
@AuthServiceIntegrationTest
class SignInThrottleIntegrationTests {

	private static final String PASSWORD = Accounts.PASSWORD;

	private static final ClientAddresses gateway = new ClientAddresses(AuthServiceIntegrationTest.CLIENT_ADDRESS_KEY,
			Clock.systemUTC());

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "auth_throttle");
	}

	@Autowired
	WebTestClient client;

	@Test
	void aGuesserLocksOnlyItselfOutAndTheOwnerSignsInFromElsewhere() {
		String email = new Accounts(this.client).register();
		for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
			login(email, "guess " + i + " wrong!", "203.0.113.7").expectStatus().isUnauthorized();
		}
		login(email, PASSWORD, "203.0.113.7").expectStatus().isEqualTo(429);
		login(email, PASSWORD, "198.51.100.2").expectStatus().isOk();
	}

	@Test
	void guessesFromManyAddressesSlowTheAccountButNotItsOwnersKnownAddress() {
		String email = new Accounts(this.client).register();
		login(email, PASSWORD, "198.51.100.20").expectStatus().isOk();
		for (int i = 0; i < LoginThrottle.ACCOUNT_FREE; i++) {
			login(email, "guess " + i + " wrong!", "203.0.113." + (100 + i)).expectStatus().isUnauthorized();
		}
		// The account is slowed for addresses it has not seen succeed...
		login(email, PASSWORD, "203.0.113.250").expectStatus().isEqualTo(429)
			.expectHeader().value("Retry-After", (after) -> org.assertj.core.api.Assertions
				.assertThat(Integer.parseInt(after)).isBetween(1, (int) LoginThrottle.MAX_SLOW_DOWN.toSeconds() + 1));
		// ...but its owner's known address signs in.
		login(email, PASSWORD, "198.51.100.20").expectStatus().isOk();
	}

	@Test
	void aDirectCallerCannotChooseItsAddress() {
		String email = new Accounts(this.client).register();
		for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
			String forged = "10.0.0." + (i + 1);
			String vouch = gateway.vouchFor(forged);
			this.client.post().uri("/v1/auth/login")
				.header(ClientAddresses.HEADER, vouch.substring(0, vouch.length() - 4) + "AAAA")
				.header("X-Forwarded-For", forged)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("email", email, "password", "guess " + i + " wrong!")).exchange()
				.expectStatus().isUnauthorized();
		}
		// Every guess counted against the caller's own address, whatever it claimed.
		this.client.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", PASSWORD)).exchange()
			.expectStatus().isEqualTo(429);
		// A vouched address from the gateway is another client.
		login(email, PASSWORD, "198.51.100.3").expectStatus().isOk();
	}

	private WebTestClient.ResponseSpec login(String email, String password, String address) {
		return this.client.post().uri("/v1/auth/login").header(ClientAddresses.HEADER, gateway.vouchFor(address))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password)).exchange();
	}

}
