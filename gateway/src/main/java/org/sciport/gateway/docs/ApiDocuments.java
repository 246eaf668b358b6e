package org.sciport.gateway.docs;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.swagger.v3.core.util.Json31;
import org.sciport.commons.docs.ApiDocument;
import org.sciport.gateway.routing.GatewayProperties;
import org.sciport.gateway.routing.RouteTable;
import org.springframework.http.server.PathContainer;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The services' OpenAPI documents as a client of the gateway sees them: only the paths the
 * gateway routes to that service, served from the gateway's own address; and their union,
 * in which every operation is tagged with its service and schemas whose names clash are
 * renamed after their service.
 */
public class ApiDocuments {

	/** The gateway's own operations (status, suite health), described by its own springdoc. */
	public static final String GATEWAY = "gateway";

	private static final String SCHEMA_REF = "#/components/schemas/";

	private static final Map<String, String[]> ROUTES = Map.of("auth-service", RouteTable.AUTH, "upload-service",
			RouteTable.UPLOAD, "dataset-service", RouteTable.DATASET, "harvest-service", RouteTable.HARVEST,
			"workflow-service", RouteTable.WORKFLOW, GATEWAY, new String[] { "/health", "/v1/status" });

	private final Map<String, URI> sources;

	private final Map<String, List<PathPattern>> routes = new LinkedHashMap<>();

	private final Mono<URI> gateway;

	private final WebClient client;

	private final JsonMapper json = JsonMapper.builder().build();

	private final Duration timeout;

	private final Mono<JsonNode> merged;

	/**
	 * @param services where each service is
	 * @param gateway the gateway's own base URL (its springdoc document)
	 */
	public ApiDocuments(GatewayProperties.Services services, Mono<URI> gateway, Duration timeout) {
		this.sources = new LinkedHashMap<>(services.byName());
		this.sources.put(GATEWAY, URI.create("gateway:/"));
		this.sources.keySet().forEach((name) -> this.routes.put(name,
				List.of(ROUTES.get(name)).stream().map(PathPatternParser.defaultInstance::parse).toList()));
		this.gateway = gateway;
		this.timeout = timeout;
		// A plain client, as for health probes: documents are not traffic.
		this.client = WebClient.builder().codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(8 * 1024 * 1024))
			.build();
		// Documents change with a deployment, not between requests: a complete union is kept a
		// while, one missing a service is made again on the next request.
		this.merged = Mono.defer(this::merge)
			.cache((document) -> document.path("x-sciport-unavailable").isEmpty() ? Duration.ofMinutes(1) : Duration.ZERO,
					(ex) -> Duration.ZERO, () -> Duration.ZERO);
	}

	/** The names documents are served under: the gateway's own, then each service's. */
	public List<String> names() {
		return List.copyOf(this.sources.keySet());
	}

	/**
	 * One service's document, or empty if there is no such service.
	 */
	public Mono<JsonNode> service(String name) {
		if (!this.sources.containsKey(name)) {
			return Mono.empty();
		}
		return fetch(name).map((document) -> {
			ObjectNode scoped = (ObjectNode) document;
			keepRouted(name, scoped);
			servedHere(scoped);
			return (JsonNode) scoped;
		});
	}

	/**
	 * Every service's document in one. A service that did not answer is named in
	 * {@code x-sciport-unavailable} and in the description.
	 */
	public Mono<JsonNode> merged() {
		return this.merged;
	}

	private Mono<JsonNode> merge() {
		return Flux.fromIterable(this.sources.keySet())
			.flatMapSequential((name) -> fetch(name).map(Optional::of)
				.onErrorResume((ex) -> Mono.just(Optional.empty()))
				.map((document) -> Map.entry(name, document)))
			.collectList()
			.map(this::union);
	}

	private JsonNode union(List<Map.Entry<String, Optional<JsonNode>>> documents) {
		ObjectNode union = (ObjectNode) this.json
			.readTree(Json31.pretty(ApiDocument.frame("API", version(documents))));
		union.put("openapi", "3.1.0");
		ObjectNode paths = union.putObject("paths");
		ObjectNode schemas = union.withObject("/components").putObject("schemas");
		ArrayNode tags = union.putArray("tags");
		List<String> unavailable = new ArrayList<>();
		for (Map.Entry<String, Optional<JsonNode>> entry : documents) {
			String name = entry.getKey();
			if (entry.getValue().isEmpty()) {
				unavailable.add(name);
				continue;
			}
			ObjectNode document = (ObjectNode) entry.getValue().get();
			keepRouted(name, document);
			renameClashingSchemas(name, document, schemas);
			tags.addObject().put("name", name).put("description", description(name));
			for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
				for (JsonNode operation : path.getValue()) {
					if (operation instanceof ObjectNode op && op.has("responses")) {
						op.putArray("tags").add(name);
						if (op.hasNonNull("operationId")) {
							op.put("operationId", name.replace("-service", "") + "_" + op.get("operationId").asString());
						}
					}
				}
				paths.set(path.getKey(), path.getValue());
			}
			document.path("components").path("schemas").properties().forEach((s) -> schemas.set(s.getKey(), s.getValue()));
		}
		StringBuilder description = new StringBuilder(
				"Every operation of the suite, as served by the gateway. Each service's own document: /docs/openapi/{service}.json.");
		if (!unavailable.isEmpty()) {
			description.append(" Not available when this document was made: ").append(String.join(", ", unavailable)).append('.');
			ArrayNode missing = union.putArray("x-sciport-unavailable");
			unavailable.forEach(missing::add);
		}
		union.withObject("/info").put("description", description.toString());
		servedHere(union);
		return union;
	}

	private static String version(List<Map.Entry<String, Optional<JsonNode>>> documents) {
		return documents.stream()
			.filter((entry) -> entry.getKey().equals(GATEWAY))
			.flatMap((entry) -> entry.getValue().stream())
			.map((document) -> document.path("info").path("version").asString("1.0.0"))
			.findFirst()
			.orElse("1.0.0");
	}

	private static String description(String name) {
		return switch (name) {
			case GATEWAY -> "The gateway's own: the API's status and the suite's health.";
			case "auth-service" -> "Accounts, sessions, API tokens, teams' members and signing keys.";
			case "upload-service" -> "Uploads (form, chunked, tus) and the conversion jobs that follow them.";
			case "dataset-service" -> "The catalogue: datasets, folders, teams, projects, analytics and webhooks.";
			case "harvest-service" -> "Instruments, storage locations, schedules and the transfers of harvested files.";
			default -> "Workflow resources and their runs, workspaces, and Nextflow projects.";
		};
	}

	/** Fetches a document; the gateway's own from its own server. */
	private Mono<JsonNode> fetch(String name) {
		Mono<URI> base = name.equals(GATEWAY) ? this.gateway : Mono.just(this.sources.get(name));
		return base.flatMap((uri) -> this.client.get()
			.uri(uri.resolve(ApiDocument.PATH))
			.retrieve()
			.bodyToMono(JsonNode.class))
			.timeout(this.timeout);
	}

	/** Drops the paths the gateway does not send to this service: a client could not call them. */
	private void keepRouted(String name, ObjectNode document) {
		List<PathPattern> patterns = this.routes.get(name);
		JsonNode paths = document.path("paths");
		if (paths instanceof ObjectNode all) {
			Iterator<String> names = all.propertyNames().iterator();
			List<String> unrouted = new ArrayList<>();
			names.forEachRemaining((path) -> {
				PathContainer container = PathContainer.parsePath(path);
				if (patterns.stream().noneMatch((pattern) -> pattern.matches(container))) {
					unrouted.add(path);
				}
			});
			all.remove(unrouted);
		}
	}

	/** Requests from the page go to the gateway that served it, never to a service's own address. */
	private static void servedHere(ObjectNode document) {
		document.putArray("servers").addObject().put("url", "/").put("description", "This gateway");
	}

	/**
	 * Renames, in {@code document} and every reference within it, the schemas whose name is
	 * already taken in {@code schemas} by a different shape: {@code Name} becomes
	 * {@code service_Name}.
	 */
	private static void renameClashingSchemas(String name, ObjectNode document, ObjectNode schemas) {
		JsonNode own = document.path("components").path("schemas");
		Map<String, String> renamed = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> schema : own.properties()) {
			JsonNode taken = schemas.get(schema.getKey());
			if (taken != null && !taken.equals(schema.getValue())) {
				renamed.put(schema.getKey(), name.replace("-service", "") + "_" + schema.getKey());
			}
		}
		if (renamed.isEmpty()) {
			return;
		}
		ObjectNode ownSchemas = (ObjectNode) own;
		renamed.forEach((from, to) -> ownSchemas.set(to, ownSchemas.remove(from)));
		rewriteReferences(document, renamed);
	}

	private static void rewriteReferences(JsonNode node, Map<String, String> renamed) {
		if (node instanceof ObjectNode object) {
			JsonNode ref = object.get("$ref");
			if (ref != null && ref.isString() && ref.asString().startsWith(SCHEMA_REF)) {
				String to = renamed.get(ref.asString().substring(SCHEMA_REF.length()));
				if (to != null) {
					object.put("$ref", SCHEMA_REF + to);
				}
			}
			object.values().forEach((child) -> rewriteReferences(child, renamed));
		}
		else if (node instanceof ArrayNode array) {
			array.values().forEach((child) -> rewriteReferences(child, renamed));
		}
	}

}
