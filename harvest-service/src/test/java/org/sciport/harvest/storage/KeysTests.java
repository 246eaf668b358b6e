package org.sciport.harvest.storage;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.sciport.commons.storage.BlobKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Storage keys of harvested files: valid blob keys for any name, readable where the name
 * allows, one key per name and version.
 */
class KeysTests {

	private static final UUID INSTRUMENT = UUID.fromString("00000000-0000-0000-0000-000000000001");

	@Test
	void keepsWhatStorageAllowsAndEscapesTheRest() {
		assertThat(Keys.of(INSTRUMENT, 1, "run-7/frame_0001.h5")).isEqualTo(INSTRUMENT + "/run-7/frame_0001.h5");
		assertThat(Keys.of(INSTRUMENT, 1, "session 1/Überblick.txt"))
			.isEqualTo(INSTRUMENT + "/session-x201/0-XC3-x9cberblick.txt");
		assertThat(Keys.of(INSTRUMENT, 1, ".hidden/-dash/a-xb")).isEqualTo(INSTRUMENT + "/0-X2Ehidden/0-X2Ddash/a-x2dxb");
		assertThat(Keys.of(INSTRUMENT, 3, "a.txt")).isEqualTo(INSTRUMENT + "/v3-xver/a.txt");
	}

	@Test
	void namesThatLookAlikeGetKeysApart() {
		List<String> names = List.of("a-x20b", "a b", "a-b", "-ab", "0-X2Dab", "0-ab", "v2-xver", ".ab", "_ab", "a_b",
				"a.b", "a-xb", "a-x2dxb");
		Set<String> keys = new HashSet<>();
		for (String name : names) {
			String key = Keys.of(INSTRUMENT, 1, name);
			assertThat(BlobKeys.validate(key)).isEqualTo(key);
			keys.add(key);
		}
		assertThat(keys).hasSize(names.size());
		assertThat(Keys.of(INSTRUMENT, 1, "v2-xver/a.txt")).isNotEqualTo(Keys.of(INSTRUMENT, 2, "a.txt"));
	}

}
