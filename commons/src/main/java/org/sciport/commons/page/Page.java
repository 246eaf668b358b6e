package org.sciport.commons.page;

import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * A page of the native API: {@code data}, {@code pagination} and {@code links}.
 *
 * @param data the items of this page
 * @param pagination totals and position
 * @param links relative links to neighbouring pages, {@code null} where there is none
 * @param <T> the item type
 */
public record Page<T>(List<T> data, Pagination pagination, Links links) {

	/**
	 * Builds a page and its links. {@code basePath} is the request path with its query
	 * (filters and sort are kept in every link; only {@code page} changes).
	 */
	public static <T> Page<T> of(List<T> data, long total, PageRequest request, String basePath) {
		int totalPages = (int) Math.max(1, (total + request.perPage() - 1) / request.perPage());
		Function<Integer, String> link = (page) -> UriComponentsBuilder.fromUriString(basePath)
			.replaceQueryParam("page", page)
			.replaceQueryParam("per_page", request.perPage())
			.build()
			.toUriString();
		Links links = new Links(link.apply(request.page()), link.apply(1), link.apply(totalPages),
				request.page() > 1 ? link.apply(Math.min(request.page() - 1, totalPages)) : null,
				request.page() < totalPages ? link.apply(request.page() + 1) : null);
		return new Page<>(List.copyOf(data), new Pagination(total, request.page(), request.perPage(), totalPages),
				links);
	}

	/**
	 * Totals and position of a page.
	 *
	 * @param total items matching the query
	 * @param page this page's number
	 * @param perPage the page size
	 * @param totalPages number of pages (at least 1)
	 */
	public record Pagination(long total, int page, @JsonProperty("per_page") int perPage,
			@JsonProperty("total_pages") int totalPages) {
	}

	/**
	 * Links to this and neighbouring pages.
	 *
	 * @param self this page
	 * @param first the first page
	 * @param last the last page
	 * @param prev the previous page, or {@code null} on the first
	 * @param next the next page, or {@code null} on the last
	 */
	public record Links(String self, String first, String last, @Nullable String prev, @Nullable String next) {
	}

}
