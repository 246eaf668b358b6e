package org.sciport.commons.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The scope vocabulary of API tokens, and which scope each request needs.
 * <p>
 * Every resource family has a {@code read} and a {@code write} scope ({@code datasets:read},
 * {@code datasets:write}, ...): {@code GET}, {@code HEAD} and {@code OPTIONS} need the family's
 * {@code read} scope, every other method its {@code write} scope, and {@code write} does not
 * imply {@code read}. {@code admin} lets a token use its account's administrator role; a scoped
 * token without it acts as a regular user even for an administrator. A token without scopes (a
 * signed-in session's, or an API token created without any) may do everything its account may.
 * <p>
 * A path no family claims is refused to a scoped token: a new endpoint is closed to scoped
 * tokens until it is given a family here. Signing out is always allowed: it only gives rights
 * up.
 */
public final class Scopes {

	/** The scope that lets a token use its account's administrator role. */
	public static final String ADMIN = "admin";

	/** The resource families, each with a {@code :read} and a {@code :write} scope. */
	public static final List<String> FAMILIES = List.of("profile", "tokens", "datasets", "uploads", "projects",
			"webhooks", "harvest", "workflows");

	/** Every scope a token may carry. */
	public static final Set<String> VOCABULARY = vocabulary();

	private static final String ANY = "";

	private static final List<Rule> RULES = List.of(
			// Signing out only gives rights up.
			rule(ANY, "/v1/auth/logout", "/api/auth/logout", "/api/users/logout"),
			rule("tokens", "/v1/tokens", "/v1/tokens/**"),
			rule(ADMIN, "/v1/users"),
			rule("profile", "/v1/users/me", "/v1/users/me/**", "/v1/auth/**", "/api/auth/**", "/auth/**",
					"/api/users/**"),
			rule(ADMIN, "/v1/users/**"),
			rule("uploads", "/v1/uploads", "/v1/uploads/**", "/v1/jobs", "/v1/jobs/**", "/v1/data/upload",
					"/api/upload/**", "/portal/api/jobs", "/portal/api/jobs.php", "/portal/api/cancel-job",
					"/portal/api/cancel-job.php", "/portal/api/retry-conversion", "/portal/api/retry-conversion.php"),
			rule("projects", "/v1/projects", "/v1/projects/**", "/v1/data/**", "/v1/analytics/**"),
			rule("webhooks", "/v1/webhooks", "/v1/webhooks/**"),
			rule("datasets", "/v1/datasets", "/v1/datasets/**", "/v1/folders", "/v1/folders/**", "/v1/teams",
					"/v1/teams/**", "/portal/api/**", "/v1/directory"),
			rule("harvest", "/v1/instruments/**", "/v1/instruments", "/v1/storage-locations/**",
					"/v1/storage-locations", "/v1/service-accounts/**", "/v1/service-accounts", "/v1/schedules/**",
					"/v1/schedules", "/v1/hooks/**", "/v1/hooks", "/v1/files/**", "/v1/files", "/v1/transfers/**",
					"/v1/transfers", "/v1/harvest-runs/**", "/v1/harvest-runs", "/api/instruments/**",
					"/api/instruments", "/api/storage-locations/**", "/api/storage-locations",
					"/api/service-accounts/**", "/api/service-accounts", "/api/schedules/**", "/api/schedules",
					"/api/hooks/**", "/api/hooks", "/api/files/**", "/api/files", "/api/transfers/**",
					"/api/transfers", "/api/harvest-runs/**", "/api/harvest-runs", "/ark:/**", "/v1/harvest/**"),
			rule("workflows", "/v1/resources", "/v1/resources/**", "/v1/workspaces", "/v1/workspaces/**",
					"/v1/pipelines", "/v1/pipelines/**", "/api/projects", "/api/projects/**",
					"/api/nextflow-projects", "/api/nextflow-projects/**", "/api/workflows", "/api/workflows/**"));

	private Scopes() {
	}

	/**
	 * The scope a request needs: {@code family:read} or {@code family:write}, {@code admin}, an
	 * empty string when any token may make it, or {@code null} when no family claims the path
	 * (refused to scoped tokens).
	 */
	public static @Nullable String required(HttpMethod method, PathContainer path) {
		for (Rule rule : RULES) {
			if (rule.matches(path)) {
				if (rule.family().equals(ANY) || rule.family().equals(ADMIN)) {
					return rule.family();
				}
				return rule.family() + (isRead(method) ? ":read" : ":write");
			}
		}
		return null;
	}

	/**
	 * Whether {@code caller} may make this request as far as its token's scopes go (its role and
	 * its grants on the object are checked by the service).
	 */
	public static boolean allows(Caller caller, HttpMethod method, PathContainer path) {
		if (!caller.isScoped()) {
			return true;
		}
		String needed = required(method, path);
		return needed != null && (needed.isEmpty() || caller.scopes().contains(needed));
	}

	/**
	 * The scopes as given, trimmed and without repeats, or a {@link IllegalArgumentException}
	 * naming the first that is not in the vocabulary.
	 */
	public static List<String> parse(Collection<String> scopes) {
		Set<String> parsed = new LinkedHashSet<>();
		for (String scope : scopes) {
			String trimmed = scope.trim();
			if (!VOCABULARY.contains(trimmed)) {
				throw new IllegalArgumentException("unknown scope '" + scope + "'; known scopes are "
						+ String.join(", ", VOCABULARY));
			}
			parsed.add(trimmed);
		}
		return List.copyOf(parsed);
	}

	/**
	 * Whether a token with {@code granted} scopes (empty: everything) may mint a token with
	 * {@code requested} scopes (empty: everything).
	 */
	public static boolean covers(List<String> granted, List<String> requested) {
		if (granted.isEmpty()) {
			return true;
		}
		return !requested.isEmpty() && granted.containsAll(requested);
	}

	private static boolean isRead(HttpMethod method) {
		return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method);
	}

	private static Set<String> vocabulary() {
		Set<String> scopes = new LinkedHashSet<>();
		for (String family : FAMILIES) {
			scopes.add(family + ":read");
			scopes.add(family + ":write");
		}
		scopes.add(ADMIN);
		return java.util.Collections.unmodifiableSet(scopes);
	}

	private static Rule rule(String family, String... patterns) {
		List<PathPattern> parsed = new ArrayList<>();
		for (String pattern : patterns) {
			parsed.add(PathPatternParser.defaultInstance.parse(pattern));
		}
		return new Rule(family, List.copyOf(parsed));
	}

	private record Rule(String family, List<PathPattern> patterns) {

		boolean matches(PathContainer path) {
			for (PathPattern pattern : this.patterns) {
				if (pattern.matches(path)) {
					return true;
				}
			}
			return false;
		}

	}

}
