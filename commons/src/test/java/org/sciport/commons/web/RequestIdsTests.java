package org.sciport.commons.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdsTests {

	@Test
	void keepsAWellFormedClientId() {
		assertThat(RequestIds.accept("trace-42:abc.DEF_1")).isEqualTo("trace-42:abc.DEF_1");
	}

	@Test
	void replacesMissingHostileOrOversizedIds() {
		assertThat(RequestIds.accept(null)).matches("req_[0-9a-f]{32}");
		assertThat(RequestIds.accept("")).startsWith("req_");
		assertThat(RequestIds.accept("a\nFAKE LOG LINE")).startsWith("req_");
		assertThat(RequestIds.accept("<script>")).startsWith("req_");
		assertThat(RequestIds.accept("x".repeat(129))).startsWith("req_");
		assertThat(RequestIds.accept(null)).isNotEqualTo(RequestIds.accept(null));
	}

}
