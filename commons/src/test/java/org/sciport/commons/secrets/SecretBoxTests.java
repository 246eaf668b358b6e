package org.sciport.commons.secrets;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SecretBoxTests {

	private static final String SECRET = "correct horse battery staple ✓";

	private final String oldKey = newKey();

	private final String newKey = newKey();

	@Test
	void sealedSecretOpens() {
		SecretBox box = new SecretBox("k1", Map.of("k1", this.oldKey));
		String sealed = box.seal(SECRET);
		assertThat(sealed).startsWith("v1:k1:").doesNotContain("correct").hasSize(6 + 16 + 1 + 64);
		assertThat(sealed.split(":")).hasSize(4);
		assertThat(box.open(sealed)).isEqualTo(SECRET);
		assertThat(box.open(box.seal(""))).isEmpty();
	}

	@Test
	void sealingTheSameTextTwiceDiffers() {
		SecretBox box = new SecretBox("k1", Map.of("k1", this.oldKey));
		String first = box.seal(SECRET);
		String second = box.seal(SECRET);
		assertThat(first).isNotEqualTo(second);
		assertThat(box.open(first)).isEqualTo(box.open(second));
	}

	@Test
	void anAlteredSealedSecretDoesNotOpen() {
		SecretBox box = new SecretBox("k1", Map.of("k1", this.oldKey));
		String sealed = box.seal(SECRET);
		String[] parts = sealed.split(":");
		for (int part = 2; part <= 3; part++) {
			byte[] bytes = Base64.getUrlDecoder().decode(parts[part]);
			for (int i = 0; i < bytes.length; i++) {
				byte[] flipped = bytes.clone();
				flipped[i] ^= 0x01;
				String[] altered = parts.clone();
				altered[part] = Base64.getUrlEncoder().withoutPadding().encodeToString(flipped);
				assertThatIllegalStateException().isThrownBy(() -> box.open(String.join(":", altered)))
					.withMessageContaining("failed authentication")
					.withMessageNotContaining("correct")
					.withNoCause();
			}
		}
		assertThatIllegalStateException().isThrownBy(() -> box.open("v1:k1:AAAA"))
			.withMessageContaining("not a sealed secret");
		assertThatIllegalStateException().isThrownBy(() -> box.open(SECRET))
			.withMessageContaining("not a sealed secret")
			.withMessageNotContaining("correct");
	}

	@Test
	void theKeyIdIsBoundToTheCiphertext() {
		// Both ids name the same key, so only the authenticated key id tells them apart.
		SecretBox box = new SecretBox("k1", Map.of("k1", this.oldKey, "k2", this.oldKey));
		String sealed = box.seal(SECRET);
		assertThatIllegalStateException().isThrownBy(() -> box.open(sealed.replace("v1:k1:", "v1:k2:")))
			.withMessageContaining("failed authentication");
	}

	@Test
	void rotation() {
		SecretBox before = new SecretBox("k1", Map.of("k1", this.oldKey));
		String sealedBefore = before.seal(SECRET);
		SecretBox after = new SecretBox("k2", Map.of("k1", this.oldKey, "k2", this.newKey));
		assertThat(after.currentKeyId()).isEqualTo("k2");
		assertThat(after.open(sealedBefore)).isEqualTo(SECRET);
		assertThat(after.isCurrent(sealedBefore)).isFalse();
		String resealed = after.reseal(sealedBefore);
		assertThat(resealed).startsWith("v1:k2:");
		assertThat(after.isCurrent(resealed)).isTrue();
		assertThat(after.open(resealed)).isEqualTo(SECRET);
		assertThat(after.isCurrent(after.seal(SECRET))).isTrue();
		// Once everything is resealed, the old key can go.
		SecretBox onlyNew = new SecretBox("k2", Map.of("k2", this.newKey));
		assertThat(onlyNew.open(resealed)).isEqualTo(SECRET);
		assertThatIllegalStateException().isThrownBy(() -> onlyNew.open(sealedBefore))
			.withMessage("Secret was sealed with key 'k1', which is not configured");
	}

	@Test
	void unknownKeyIdDoesNotOpen() {
		SecretBox box = new SecretBox("k1", Map.of("k1", this.oldKey));
		String sealed = new SecretBox("other", Map.of("other", this.newKey)).seal(SECRET);
		assertThatIllegalStateException().isThrownBy(() -> box.open(sealed))
			.withMessageContaining("sealed with key 'other', which is not configured");
		assertThatIllegalStateException().isThrownBy(() -> box.reseal(sealed));
		assertThat(box.isCurrent(sealed)).isFalse();
	}

	@Test
	void badKeysAreRefusedWithoutShowingThem() {
		String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
		assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox("k1", Map.of("k1", shortKey)))
			.withMessageContaining("'k1' must be 32 bytes")
			.withMessageNotContaining(shortKey);
		assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox("k1", Map.of("k1", "not base64!")))
			.withMessageContaining("'k1' is not valid base64")
			.withMessageNotContaining("not base64!");
		assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox("k2", Map.of("k1", this.oldKey)))
			.withMessageContaining("'k2' is not among the configured keys [k1]")
			.withMessageNotContaining(this.oldKey);
		assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox("K1", Map.of("K1", this.oldKey)))
			.withMessageContaining("1 to 32 characters");
		// A key given where its id belongs is not repeated.
		assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox(this.oldKey, Map.of(this.oldKey, "k1")))
			.withMessageNotContaining(this.oldKey);
		assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox(this.oldKey, Map.of("k1", this.oldKey)))
			.withMessageNotContaining(this.oldKey);
	}

	@Test
	void toStringShowsOnlyKeyIds() {
		SecretBox box = new SecretBox("k2", Map.of("k2", this.newKey, "k1", this.oldKey));
		assertThat(box).hasToString("SecretBox[currentKey=k2, keys=[k1, k2]]");
	}

	private static String newKey() {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return Base64.getEncoder().encodeToString(key);
	}

}
