package org.sciport.commons.page;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.sciport.commons.error.ValidationException;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PaginationTests {

	@Test
	void defaultsToTheFirstPageOfTwenty() {
		PageRequest request = PageRequest.from(new LinkedMultiValueMap<>());
		assertThat(request.page()).isEqualTo(1);
		assertThat(request.perPage()).isEqualTo(20);
		assertThat(request.offset()).isZero();
	}

	@Test
	void readsPageAndPerPageAndComputesTheOffset() {
		PageRequest request = PageRequest.from(query("page", "3", "per_page", "25"));
		assertThat(request.offset()).isEqualTo(50);
	}

	@Test
	void namesTheOffendingParameter() {
		assertThatExceptionOfType(ValidationException.class).isThrownBy(() -> PageRequest.from(query("per_page", "101")))
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("per_page"));
		assertThatExceptionOfType(ValidationException.class).isThrownBy(() -> PageRequest.from(query("page", "0")))
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("page"));
		assertThatExceptionOfType(ValidationException.class).isThrownBy(() -> PageRequest.from(query("page", "two")))
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("page"));
		assertThatExceptionOfType(ValidationException.class)
			.isThrownBy(() -> PageRequest.from(query("page", "99999999999")));
	}

	@Test
	void linksNeighboursAndKeepsFilters() {
		Page<String> page = Page.of(List.of("c", "d"), 5, new PageRequest(2, 2), "/v1/datasets?status=ready&page=2");
		assertThat(page.pagination().total()).isEqualTo(5);
		assertThat(page.pagination().totalPages()).isEqualTo(3);
		assertThat(page.links().self()).isEqualTo("/v1/datasets?status=ready&page=2&per_page=2");
		assertThat(page.links().first()).isEqualTo("/v1/datasets?status=ready&page=1&per_page=2");
		assertThat(page.links().last()).isEqualTo("/v1/datasets?status=ready&page=3&per_page=2");
		assertThat(page.links().prev()).isEqualTo("/v1/datasets?status=ready&page=1&per_page=2");
		assertThat(page.links().next()).isEqualTo("/v1/datasets?status=ready&page=3&per_page=2");
	}

	@Test
	void anEmptyListIsOnePageWithoutNeighbours() {
		Page<String> page = Page.of(List.of(), 0, new PageRequest(1, 20), "/v1/datasets");
		assertThat(page.pagination().totalPages()).isEqualTo(1);
		assertThat(page.links().prev()).isNull();
		assertThat(page.links().next()).isNull();
	}

	@Test
	void aPageBeyondTheEndPointsBackToTheLastPage() {
		Page<String> page = Page.of(List.of(), 3, new PageRequest(9, 2), "/v1/datasets");
		assertThat(page.links().prev()).isEqualTo("/v1/datasets?page=2&per_page=2");
		assertThat(page.links().next()).isNull();
	}

	private static MultiValueMap<String, String> query(String... pairs) {
		MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			query.add(pairs[i], pairs[i + 1]);
		}
		return query;
	}

}
