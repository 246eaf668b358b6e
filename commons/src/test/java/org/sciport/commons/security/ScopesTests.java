package org.sciport.commons.security;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ScopesTests {

	@Test
	void readsNeedTheFamilysReadScopeAndEverythingElseItsWriteScope() {
		assertThat(required(HttpMethod.GET, "/v1/datasets/42")).isEqualTo("datasets:read");
		assertThat(required(HttpMethod.HEAD, "/v1/datasets")).isEqualTo("datasets:read");
		assertThat(required(HttpMethod.PATCH, "/v1/datasets/42")).isEqualTo("datasets:write");
		assertThat(required(HttpMethod.DELETE, "/v1/datasets/42")).isEqualTo("datasets:write");
		assertThat(required(HttpMethod.POST, "/portal/api/update-dataset")).isEqualTo("datasets:write");
		assertThat(required(HttpMethod.GET, "/portal/api/jobs")).isEqualTo("uploads:read");
		assertThat(required(HttpMethod.POST, "/v1/data/upload")).isEqualTo("uploads:write");
		assertThat(required(HttpMethod.GET, "/v1/data/data_1")).isEqualTo("projects:read");
		assertThat(required(HttpMethod.PUT, "/v1/users/me")).isEqualTo("profile:write");
		assertThat(required(HttpMethod.PUT, "/v1/users/me/password")).isEqualTo("profile:write");
		assertThat(required(HttpMethod.POST, "/v1/tokens")).isEqualTo("tokens:write");
		assertThat(required(HttpMethod.GET, "/v1/users")).isEqualTo("admin");
		assertThat(required(HttpMethod.PATCH, "/v1/users/" + java.util.UUID.randomUUID())).isEqualTo("admin");
		assertThat(required(HttpMethod.GET, "/api/instruments/3")).isEqualTo("harvest:read");
		assertThat(required(HttpMethod.POST, "/v1/resources")).isEqualTo("workflows:write");
		assertThat(required(HttpMethod.POST, "/v1/auth/logout")).isEmpty();
		assertThat(required(HttpMethod.GET, "/v2/something-new")).isNull();
	}

	@Test
	void aScopedTokenIsHeldToItsScopesAndAnUnscopedOneIsNot() {
		Caller reader = caller(List.of("user"), List.of("datasets:read"));
		assertThat(Scopes.allows(reader, HttpMethod.GET, path("/v1/datasets/1"))).isTrue();
		assertThat(Scopes.allows(reader, HttpMethod.DELETE, path("/v1/datasets/1"))).isFalse();
		assertThat(Scopes.allows(reader, HttpMethod.PUT, path("/v1/users/me"))).isFalse();
		assertThat(Scopes.allows(reader, HttpMethod.POST, path("/v1/tokens"))).isFalse();
		assertThat(Scopes.allows(reader, HttpMethod.POST, path("/v1/auth/logout"))).isTrue();
		assertThat(Scopes.allows(reader, HttpMethod.GET, path("/v2/something-new"))).isFalse();
		Caller session = caller(List.of("user"), List.of());
		assertThat(Scopes.allows(session, HttpMethod.DELETE, path("/v1/datasets/1"))).isTrue();
		assertThat(Scopes.allows(session, HttpMethod.GET, path("/v2/something-new"))).isTrue();
	}

	@Test
	void anAdministratorsScopedTokenActsAsAnAdministratorOnlyWithTheAdminScope() {
		assertThat(caller(List.of("admin"), List.of()).isAdmin()).isTrue();
		assertThat(caller(List.of("admin"), List.of("datasets:read")).isAdmin()).isFalse();
		assertThat(caller(List.of("admin"), List.of("datasets:read", "admin")).isAdmin()).isTrue();
		assertThat(caller(List.of("user"), List.of("admin")).isAdmin()).isFalse();
	}

	@Test
	void parsesOnlyTheVocabularyAndNamesWhatItDoesNotKnow() {
		assertThat(Scopes.parse(List.of(" datasets:read", "datasets:read", "admin"))).containsExactly("datasets:read",
				"admin");
		assertThatIllegalArgumentException().isThrownBy(() -> Scopes.parse(List.of("datasets:read", "datasets:delete")))
			.withMessageContaining("'datasets:delete'")
			.withMessageContaining("datasets:write");
		assertThat(Scopes.VOCABULARY).hasSize(Scopes.FAMILIES.size() * 2 + 1);
	}

	@Test
	void aTokenMintsOnlyTokensThatMayDoNoMoreThanItself() {
		assertThat(Scopes.covers(List.of(), List.of())).isTrue();
		assertThat(Scopes.covers(List.of(), List.of("admin"))).isTrue();
		assertThat(Scopes.covers(List.of("tokens:write", "datasets:read"), List.of("datasets:read"))).isTrue();
		assertThat(Scopes.covers(List.of("tokens:write", "datasets:read"), List.of("datasets:write"))).isFalse();
		assertThat(Scopes.covers(List.of("tokens:write", "datasets:read"), List.of())).isFalse();
	}

	private static String required(HttpMethod method, String path) {
		return Scopes.required(method, path(path));
	}

	private static PathContainer path(String path) {
		return PathContainer.parsePath(path);
	}

	private static Caller caller(List<String> roles, List<String> scopes) {
		return new Caller("u1", roles, "free", "t1", Instant.now().plusSeconds(60), null, Instant.now(), scopes, null,
				0);
	}

}
