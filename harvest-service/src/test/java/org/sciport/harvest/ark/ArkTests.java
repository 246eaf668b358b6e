package org.sciport.harvest.ark;

import java.security.SecureRandom;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.sciport.commons.error.ValidationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ArkTests {

	private final Ark ark = new Ark(Ark.DEFAULT_NAAN, Ark.DEFAULT_SHOULDER);

	@Test
	void checkCharacterOfTheWorkedExample() {
		assertThat(Ark.checkCharacter("13030/xf93gt2")).isEqualTo('q');
		Ark.Parsed parsed = Ark.parse("ark:/13030/xf93gt2q");
		assertThat(parsed.naan()).isEqualTo("13030");
		assertThat(parsed.name()).isEqualTo("xf93gt2q");
		assertThat(Ark.parse("ark:13030/xf93gt2q")).isEqualTo(parsed);
		assertThat(parsed.canonical()).isEqualTo("ark:/13030/xf93gt2q");
	}

	@Test
	void mintsSequentialNamesOnTheShoulder() {
		String first = this.ark.mint(0);
		assertThat(first).matches("ark:/99999/fk4000000[0-9bcdfghjkmnpqrstvwxz]");
		assertThat(first).isEqualTo("ark:/99999/fk4000000" + Ark.checkCharacter("99999/fk4000000"));
		assertThat(this.ark.mint(1)).startsWith("ark:/99999/fk4000001");
		assertThat(this.ark.mint(29)).startsWith("ark:/99999/fk4000010");
		assertThat(this.ark.mint(Long.MAX_VALUE)).matches("ark:/99999/fk4[0-9bcdfghjkmnpqrstvwxz]{14}");
		for (long sequence : new long[] { 0, 1, 28, 29, 12345, 29L * 29 * 29 * 29 * 29 * 29, Long.MAX_VALUE }) {
			String minted = this.ark.mint(sequence);
			Ark.Parsed parsed = Ark.parse(minted);
			assertThat(parsed.naan()).isEqualTo("99999");
			assertThat(parsed.name()).startsWith("fk4");
			assertThat(parsed.canonical()).isEqualTo(minted);
		}
	}

	@Test
	void mintsRandomNamesThatParse() {
		SecureRandom random = new SecureRandom();
		for (int i = 0; i < 100; i++) {
			String minted = this.ark.mintRandom(random);
			assertThat(minted).matches("ark:/99999/fk4[0-9bcdfghjkmnpqrstvwxz]{9}");
			assertThat(Ark.parse(minted).canonical()).isEqualTo(minted);
		}
		assertThat(this.ark.mintRandom(new SplittableRandom(7))).isEqualTo(this.ark.mintRandom(new SplittableRandom(7)));
	}

	@Test
	void everySingleChangedCharacterIsDetected() {
		for (String minted : new String[] { "ark:/13030/xf93gt2q", this.ark.mint(12345),
				this.ark.mintRandom(new SplittableRandom(42)) }) {
			String body = minted.substring("ark:/".length());
			for (int i = 0; i < body.length(); i++) {
				if (body.charAt(i) == '/') {
					continue;
				}
				for (char replacement : Ark.ALPHABET.toCharArray()) {
					if (replacement == body.charAt(i)) {
						continue;
					}
					String changed = "ark:/" + body.substring(0, i) + replacement + body.substring(i + 1);
					assertThatExceptionOfType(ValidationException.class).as(changed)
						.isThrownBy(() -> Ark.parse(changed))
						.withMessageContaining("check character")
						.satisfies((ex) -> assertThat(ex.field()).isEqualTo("ark"));
				}
			}
		}
	}

	@Test
	void everySwapOfTwoAdjacentDifferentCharactersIsDetected() {
		for (String minted : new String[] { "ark:/13030/xf93gt2q", this.ark.mint(12345),
				this.ark.mintRandom(new SplittableRandom(42)) }) {
			String body = minted.substring("ark:/".length());
			for (int i = 0; i + 1 < body.length(); i++) {
				char a = body.charAt(i);
				char b = body.charAt(i + 1);
				if (a == b || a == '/' || b == '/') {
					continue;
				}
				String swapped = "ark:/" + body.substring(0, i) + b + a + body.substring(i + 2);
				assertThatExceptionOfType(ValidationException.class).as(swapped)
					.isThrownBy(() -> Ark.parse(swapped))
					.withMessageContaining("check character");
			}
		}
	}

	@Test
	void malformedTextIsRefused() {
		for (String text : new String[] { "", "13030/xf93gt2q", "ark:/13030", "ark:/13030/", "ark://xf93gt2q",
				"ark:/13030/xf93-gt2q", "ark:/13030/XF93GT2Q", "doi:10.1000/182", "ark:/13030/xf93gt2q/extra" }) {
			assertThatExceptionOfType(ValidationException.class).as(text)
				.isThrownBy(() -> Ark.parse(text))
				.withMessageContaining("is not an ARK")
				.satisfies((ex) -> assertThat(ex.field()).isEqualTo("ark"));
		}
	}

	@Test
	void minterRefusesNaanOrShoulderOutsideTheAlphabet() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Ark("", "fk4"));
		assertThatIllegalArgumentException().isThrownBy(() -> new Ark("99999", ""));
		assertThatIllegalArgumentException().isThrownBy(() -> new Ark("9999a", "fk4"));
		assertThatIllegalArgumentException().isThrownBy(() -> new Ark("99999", "fk/4"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.ark.mint(-1));
	}

}
