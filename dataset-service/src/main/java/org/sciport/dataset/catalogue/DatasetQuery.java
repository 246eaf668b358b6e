package org.sciport.dataset.catalogue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
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
 * @param status only datasets in this status, or in one of several, comma-separated
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
		String sort, boolean descending, PageRequest page, @Nullable Cursor cursor) {

	/**
	 * Where a page by key starts: after the row with this sort key and id, in this sort.
	 *
	 * @param sort the sort it was made for
	 * @param descending its order
	 * @param id the id of the last row before the page
	 * @param key that row's sort key, as text
	 */
	record Cursor(String sort, boolean descending, UUID id, String key) {

		String encode() {
			String plain = this.sort + "|" + (this.descending ? "desc" : "asc") + "|" + this.id + "|" + this.key;
			return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
		}

		static Cursor decode(String value) {
			try {
				String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\|", 4);
				if (parts.length != 4 || !SORTS.containsKey(parts[0])
						|| !(parts[1].equals("asc") || parts[1].equals("desc"))) {
					throw new IllegalArgumentException();
				}
				return new Cursor(parts[0], parts[1].equals("desc"), UUID.fromString(parts[2]), parts[3]);
			}
			catch (IllegalArgumentException ex) {
				throw new ValidationException("cursor", "cursor is not one this API gave out");
			}
		}

	}

	static final Set<String> STATUSES = Set.of("uploading", "upload_failed", "conversion_queued", "converting", "done",
			"conversion_failed");

	private static final Map<String, String> SORTS = Map.of("created_at", "d.created_at", "updated_at", "d.updated_at",
			"name", "lower(d.name)", "size", "d.size_bytes");

	private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

	private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

	private static final Set<String> KNOWN = Set.of("folder_id", "status", "team_id", "owner_id", "tag", "created_from",
			"created_to", "q", "sort", "order", "page", "per_page", "cursor");

	public static DatasetQuery from(MultiValueMap<String, String> query) {
		PageRequest.requireKnown(query, KNOWN);
		String status = text(query, "status");
		if (status != null && !java.util.Arrays.stream(status.split(",", -1)).allMatch(STATUSES::contains)) {
			throw new ValidationException("status", "status must be one or more (comma-separated) of "
					+ STATUSES.stream().sorted().toList());
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
		Cursor cursor = (text(query, "cursor") != null) ? Cursor.decode(text(query, "cursor")) : null;
		if (cursor != null && (!cursor.sort().equals(sort) || cursor.descending() != order.equals("desc"))) {
			throw new ValidationException("cursor", "cursor was made for sort=" + cursor.sort() + "&order="
					+ (cursor.descending() ? "desc" : "asc") + "; ask with the same sort and order");
		}
		if (cursor != null && text(query, "page") != null) {
			throw new ValidationException("page", "page and cursor cannot be combined");
		}
		return new DatasetQuery(uuid(query, "folder_id"), status, uuid(query, "team_id"), uuid(query, "owner_id"),
				text(query, "tag"), instant(query, "created_from"), instant(query, "created_to"), q, sort,
				order.equals("desc"), PageRequest.from(query), cursor);
	}

	/** The sort key's SQL expression. */
	String sortKey() {
		return SORTS.get(this.sort);
	}

	/** The row-value condition that starts a page after the cursor's row. */
	String afterCursor() {
		return "(" + sortKey() + ", d.id) " + (this.descending ? "<" : ">") + " (:afterKey, :afterId)";
	}

	/** The cursor's key as the sort column's type. */
	Object cursorKey() {
		Cursor current = java.util.Objects.requireNonNull(this.cursor);
		try {
			return switch (this.sort) {
				case "created_at", "updated_at" -> Instant.parse(current.key());
				case "size" -> Long.valueOf(current.key());
				default -> current.key();
			};
		}
		catch (RuntimeException ex) {
			throw new ValidationException("cursor", "cursor is not one this API gave out");
		}
	}

	String orderBy() {
		String direction = this.descending ? " DESC" : " ASC";
		return SORTS.get(this.sort) + direction + ", d.id" + direction;
	}

	/** The order of rows that carry their key as {@code sort_key} (and their {@code id}), named with {@code prefix}. */
	String orderByKey(String prefix) {
		String direction = this.descending ? " DESC" : " ASC";
		return prefix + "sort_key" + direction + ", " + prefix + "id" + direction;
	}

	/** {@link #afterCursor()} for rows that carry their key as {@code sort_key}. */
	String afterCursorByKey() {
		return "(sort_key, id) " + (this.descending ? "<" : ">") + " (:afterKey, :afterId)";
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
			Instant instant = Instant.parse(value);
			// What PostgreSQL's timestamptz holds, and more than any dataset needs.
			if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
				throw new ValidationException(name, name + " must lie between the years 1 and 9999");
			}
			return instant;
		}
		catch (DateTimeParseException ex) {
			throw new ValidationException(name, name + " must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
		}
	}

}
