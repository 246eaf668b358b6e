package org.sciport.commons.webhook;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class WebhookSignatureTests {

	private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

	@Test
	void signsTheSpecificationsExample() {
		WebhookSignature signature = WebhookSignature.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
		assertThat(signature.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, BODY))
			.isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	}

	@Test
	void verifiesAmongSeveralSignaturesAndRejectsAChangedMessage() {
		WebhookSignature signature = WebhookSignature.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
		String header = "v1,bm90IHRoaXMgb25l v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
		assertThat(signature.verifies("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, BODY, header)).isTrue();
		assertThat(signature.verifies("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, BODY, header)).isFalse();
	}

	@Test
	void generatedSecretsAreReadBack() {
		String secret = WebhookSignature.generate(new SecureRandom());
		assertThat(secret).startsWith("whsec_");
		WebhookSignature signature = WebhookSignature.of(secret);
		assertThat(signature.verifies("m", 1, BODY, signature.sign("m", 1, BODY))).isTrue();
	}

	@Test
	void aSecretThatIsNotBase64OrTooShortIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookSignature.of("whsec_not base64!"));
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookSignature.of("whsec_c2hvcnQ="));
	}

}
