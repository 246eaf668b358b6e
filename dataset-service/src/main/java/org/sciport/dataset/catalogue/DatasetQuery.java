package org.sciport.dataset.catalogue;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ValidationException;
import org.sciport.commons.page.PageRequest;
import org.springframework.util.MultiValueMap;

/**
 * A validated list request: filters, sort and page. Every parameter that cannot be used is a
 * 400 naming it.
 *
 * @param folderId only datasets in this folder
 * @param status only datasets in this status
 * @param teamId only datasets shared with this team
 * @param ownerId only datasets of this owner
 * @param tag only datasets with this tag
 * @param createdFrom created at or after
 * @param createdTo created before
 * @param text a text to find in name or description
 * @param sort the column to sort by
 * @param descending the sort direction
 * @param page the page
 */
public record DatasetQuery(@Nullable UUID folderId, @Nullable String status, @Nullable UUID teamId, @Nullable UUID ownerId,
		@Nullable String tag, @Nullable Instant createdFrom, @Nullable Instant createdTo, @Nullable String text,
		String sort, boolean descending, PageRequest page) {

	static final Set<String> STATUSES = Set.of("uploading", "conversion_queued", "converting", "done",
			"conversion_failed");

	private static final Map<String, String> SORTS = Map.of("created_at", "d.created_at", "updated_at", "d.updated_at",
			"name", "lower(d.name)", "size", "d.size_bytes");

	private static final Set<String> KNOWN = Set.of("folder_id", "status", "team_id", "owner_id", "tag", "created_from",
			"created_to", "q", "sort", "order", "page", "per_page");

	public static DatasetQuery from(MultiValueMap<String, String> query) {
		for (String name : query.keySet()) {
			if (!KNOWN.contains(name)) {
				throw new ValidationException(name, "unknown parameter '" + name + "'; known: " + KNOWN.stream().sorted().toList());
			}
		}
		String status = text(query, "status");
		if (status != null && !STATUSES.contains(status)) {
			throw new ValidationException("status", "status must be one of " + STATUSES.stream().sorted().toList());
		}
		String sort = (text(query, "sort") != null) ? text(query, "sort") : "created_at";
		if (!SORTS.containsKey(sort)) {
			throw new ValidationException("sort", "sort must be one of " + SORTS.keySet().stream().sorted().toList());
		}
		String order = (text(query, "order") != null) ? text(query, "order").toLowerCase(Locale.ROOT) : "desc";
		if (!order.equals("asc") && !order.equals("desc")) {
			throw new ValidationException("order", "order must be asc or desc");
		}
		String q = text(query, "q");
		if (q != null && q.length() > 200) {
			throw new ValidationException("q", "q must be at most 200 characters");
		}
		return new DatasetQuery(uuid(query, "folder_id"), status, uuid(query, "team_id"), uuid(query, "owner_id"),
				text(query, "tag"), instant(query, "created_from"), instant(query, "created_to"), q, sort,
				order.equals("desc"), PageRequest.from(query));
	}

	String orderBy() {
		String direction = this.descending ? " DESC" : " ASC";
		return SORTS.get(this.sort) + direction + ", d.id" + direction;
	}

	private static @Nullable String text(MultiValueMap<String, String> query, String name) {
		String value = query.getFirst(name);
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	private static @Nullable UUID uuid(MultiValueMap<String, String> query, String name) {
		String value = text(query, name);
		if (value == null) {
			return null;
		}
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			throw new ValidationException(name, name + " is not a valid id");
		}
	}

	private static @Nullable Instant instant(MultiValueMap<String, String> query, String name) {
		String value = text(query, name);
		if (value == null) {
			return null;
		}
		try {
			return Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw new ValidationException(name, name + " must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
		}
	}

}
