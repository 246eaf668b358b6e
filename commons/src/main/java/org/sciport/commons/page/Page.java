package org.sciport.commons.page;

import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonInclude;
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
		return of(data, total, request, basePath, null, false);
	}

	/**
	 * Builds a page and its links, with a keyset cursor for the page after this one in
	 * {@code pagination.next_cursor} ({@code null} where there is none). A page asked for by
	 * cursor ({@code byCursor}) links to the next one by cursor too; one asked for by number
	 * keeps numbered links.
	 */
	public static <T> Page<T> of(List<T> data, long total, PageRequest request, String basePath,
			@Nullable String nextCursor, boolean byCursor) {
		Page<T> page = offsetPage(data, total, request, basePath);
		if (nextCursor == null && !byCursor) {
			return page;
		}
		Pagination pagination = new Pagination(page.pagination().total(), page.pagination().page(),
				page.pagination().perPage(), page.pagination().totalPages(), nextCursor);
		if (!byCursor) {
			return new Page<>(page.data(), pagination, page.links());
		}
		String self = UriComponentsBuilder.fromUriString(basePath).build().toUriString();
		String next = (nextCursor != null) ? UriComponentsBuilder.fromUriString(basePath)
			.replaceQueryParam("page")
			.replaceQueryParam("cursor", nextCursor)
			.replaceQueryParam("per_page", request.perPage())
			.build()
			.toUriString() : null;
		return new Page<>(page.data(), pagination, new Links(self, page.links().first(), page.links().last(), null, next));
	}

	private static <T> Page<T> offsetPage(List<T> data, long total, PageRequest request, String basePath) {
		int totalPages = (int) Math.max(1, (total + request.perPage() - 1) / request.perPage());
		Function<Integer, String> link = (page) -> UriComponentsBuilder.fromUriString(basePath)
			.replaceQueryParam("page", page)
			.replaceQueryParam("per_page", request.perPage())
			.build()
			.toUriString();
		Links links = new Links(link.apply(request.page()), link.apply(1), link.apply(totalPages),
				request.page() > 1 ? link.apply(Math.min(request.page() - 1, totalPages)) : null,
				request.page() < totalPages ? link.apply(request.page() + 1) : null);
		return new Page<>(List.copyOf(data), new Pagination(total, request.page(), request.perPage(), totalPages, null),
				links);
	}

	/**
	 * Totals and position of a page.
	 *
	 * @param total items matching the query
	 * @param page this page's number
	 * @param perPage the page size
	 * @param totalPages number of pages (at least 1)
	 * @param nextCursor where the next page starts, for lists that page by key (left out
	 * where there is none)
	 */
	public record Pagination(long total, int page, @JsonProperty("per_page") int perPage,
			@JsonProperty("total_pages") int totalPages,
			@JsonProperty("next_cursor") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String nextCursor) {

		public Pagination(long total, int page, int perPage, int totalPages) {
			this(total, page, perPage, totalPages, null);
		}

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
