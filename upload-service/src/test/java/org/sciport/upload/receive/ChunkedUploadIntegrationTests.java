package org.sciport.upload.receive;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.upload.Catalogue;
import org.sciport.upload.UploadServiceApplication;
import org.sciport.upload.UploadServiceIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chunked uploads: chunks in any order, each checked, duplicates and strays refused without
 * touching what is stored, and an upload begun on one instance finished on another, which
 * holds nothing of it in memory (the state a restart keeps).
 */
@UploadServiceIntegrationTest
class ChunkedUploadIntegrationTests {

	private static final int CHUNK = 64 * 1024;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		Catalogue.register(registry, "upload_chunked");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	Environment environment;

	@Test
	void chunksArriveInAnyOrderAreCheckedAndTheUploadFinishesOnAnotherInstance() throws Exception {
		User owner = TestTokens.user();
		byte[] content = new byte[2 * CHUNK + 1000];
		new Random(11).nextBytes(content);
		Map<String, Object> initiated = this.client.post().uri("/api/upload/initiate")
			.headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("filename", "cube.bin", "size", content.length, "chunk_size", CHUNK, "dataset_name", "Chunks"))
			.exchange()
			.expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
		assertThat(initiated).containsEntry("total_chunks", 3).containsEntry("chunk_size", CHUNK);
		String job = (String) initiated.get("job_id");

		chunk(this.client, owner, job, 2, part(content, 2)).expectStatus().isOk();
		chunk(this.client, owner, job, 0, part(content, 0)).expectStatus().isOk();
		// The same bytes again are fine; different bytes for a stored chunk are refused.
		chunk(this.client, owner, job, 0, part(content, 0)).expectStatus().isOk()
			.expectBody().jsonPath("$.data.duplicate").isEqualTo(true);
		byte[] other = part(content, 0).clone();
		other[0] ^= 1;
		chunk(this.client, owner, job, 0, other).expectStatus().isEqualTo(409);
		// Out of range, wrong size, wrong checksum, someone else's job.
		chunk(this.client, owner, job, 3, part(content, 2)).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.code").isEqualTo("VALIDATION_ERROR").jsonPath("$.error").value(
					(message) -> assertThat((String) message).contains("index"));
		chunk(this.client, owner, job, 1, Arrays.copyOf(part(content, 1), CHUNK - 1)).expectStatus().isBadRequest();
		this.client.put().uri("/api/upload/chunk/" + job + "/1").headers((h) -> h.setBearerAuth(owner.token()))
			.header(ChunkedUploadController.CHUNK_SHA256, sha256(part(content, 0)))
			.contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(part(content, 1))
			.exchange().expectStatus().isBadRequest();
		chunk(this.client, TestTokens.user(), job, 1, part(content, 1)).expectStatus().isNotFound();
		this.client.get().uri("/api/upload/chunks/" + job).headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectStatus().isOk().expectBody()
			.jsonPath("$.data.received").isEqualTo(java.util.List.of(0, 2))
			.jsonPath("$.data.missing").isEqualTo(java.util.List.of(1));
		this.client.post().uri("/api/upload/complete/" + job).headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectStatus().isEqualTo(409).expectBody().jsonPath("$.error").isEqualTo("Chunks missing: 1");

		// Another instance, on the same database and storage, takes over.
		try (ConfigurableApplicationContext second = secondInstance()) {
			WebTestClient other2 = WebTestClient.bindToServer()
				.baseUrl("http://127.0.0.1:" + ((WebServerApplicationContext) second).getWebServer().getPort()).build();
			chunk(other2, owner, job, 1, part(content, 1)).expectStatus().isOk();
			other2.post().uri("/api/upload/complete/" + job).headers((h) -> h.setBearerAuth(owner.token()))
				.bodyValue(Map.of("sha256", sha256(new byte[] { 1 }))).exchange()
				.expectStatus().isBadRequest().expectBody().jsonPath("$.error").value(
						(message) -> assertThat((String) message).contains("SHA-256"));
			other2.post().uri("/api/upload/complete/" + job).headers((h) -> h.setBearerAuth(owner.token()))
				.bodyValue(Map.of("sha256", sha256(content))).exchange()
				.expectStatus().isOk().expectBody()
				.jsonPath("$.job_id").isEqualTo(job)
				.jsonPath("$.data.sha256").isEqualTo(sha256(content))
				.jsonPath("$.data.bytes_total").isEqualTo(content.length);
		}
		chunk(this.client, owner, job, 1, part(content, 1)).expectStatus().isEqualTo(409);
	}

	@Test
	void theDocumentedChunkedUploadChoosesTheChunkSizeAndCompletesWithItsLastPostedChunk() throws Exception {
		User owner = TestTokens.user();
		// The server's chunk: 10 MiB, or the configured largest chunk if smaller (1 MiB here).
		int chunk = 1024 * 1024;
		byte[] content = new byte[chunk + 4321];
		new Random(5).nextBytes(content);
		Map<String, Object> initiated = this.client.post().uri("/api/upload/initiate")
			.headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("dataset_name", "Large Dataset", "file_size", content.length, "file_name", "large_file.nxs",
					"sensor", "4D_NEXUS"))
			.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
		assertThat(initiated).containsEntry("success", true).containsEntry("chunk_size", chunk)
			.containsEntry("total_chunks", 2).containsKeys("upload_id", "dataset_uuid");
		String upload = (String) initiated.get("upload_id");
		// The last chunk first; then the first, which completes the upload.
		postChunk(owner, upload, "1", Arrays.copyOfRange(content, chunk, content.length), true).expectStatus().isOk()
			.expectBody().jsonPath("$.completed").isEqualTo(false).jsonPath("$.chunks_received").isEqualTo(1);
		// A chunk before its fields cannot be placed.
		postChunk(owner, upload, "0", Arrays.copyOfRange(content, 0, chunk), false).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error").isEqualTo("upload_id and chunk_number must come before the chunk");
		postChunk(owner, upload, "2", new byte[10], true).expectStatus().isBadRequest();
		postChunk(TestTokens.user(), upload, "0", Arrays.copyOfRange(content, 0, chunk), true).expectStatus().isNotFound();
		postChunk(owner, upload, "0", Arrays.copyOfRange(content, 0, chunk), true).expectStatus().isOk()
			.expectBody().jsonPath("$.completed").isEqualTo(true)
			.jsonPath("$.job_id").isEqualTo(upload)
			.jsonPath("$.data.sha256").isEqualTo(sha256(content))
			.jsonPath("$.data.format").isEqualTo("nexus");
		this.client.get().uri("/api/upload/status/" + upload).headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.job_id").isEqualTo(upload)
			.jsonPath("$.dataset_uuid").isEqualTo(initiated.get("dataset_uuid"));
	}

	private WebTestClient.ResponseSpec postChunk(User owner, String upload, String number, byte[] bytes, boolean fieldsFirst) {
		org.springframework.http.client.MultipartBodyBuilder body = new org.springframework.http.client.MultipartBodyBuilder();
		if (fieldsFirst) {
			body.part("upload_id", upload);
			body.part("chunk_number", number);
		}
		body.part("chunk", new org.springframework.core.io.ByteArrayResource(bytes) {
			@Override
			public String getFilename() {
				return "chunk_data";
			}
		}).contentType(MediaType.APPLICATION_OCTET_STREAM);
		if (!fieldsFirst) {
			body.part("upload_id", upload);
			body.part("chunk_number", number);
		}
		return this.client.post().uri("/api/upload/chunk").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(body.build()))
			.exchange();
	}

	@Test
	void chunksSentTwoAtATimeCompleteWithTheWholeFilesChecksums() {
		User owner = TestTokens.user();
		byte[] content = new byte[6 * CHUNK + 77];
		new Random(12).nextBytes(content);
		String job = (String) this.client.post().uri("/api/upload/initiate")
			.headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("filename", "run.bin", "size", content.length, "chunk_size", CHUNK, "dataset_name", "Run"))
			.exchange()
			.expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody().get("job_id");
		// Two connections, as a client sends them: each pair arrives at once, the later one first.
		for (int index = 0; index < 7; index += 2) {
			int first = index;
			reactor.core.publisher.Flux.range(first, Math.min(2, 7 - first))
				.sort(java.util.Comparator.reverseOrder())
				.flatMap((i) -> reactor.core.publisher.Mono.fromRunnable(
						() -> chunk(this.client, owner, job, i, part(content, i)).expectStatus().isOk())
					.subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()))
				.blockLast();
		}
		Map<String, Object> done = this.client.post().uri("/api/upload/complete/" + job)
			.headers((h) -> h.setBearerAuth(owner.token()))
			.exchange()
			.expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
		@SuppressWarnings("unchecked")
		Map<String, Object> data = (Map<String, Object>) done.get("data");
		assertThat(data).containsEntry("sha256", sha256(content))
			.containsEntry("xxhash64", HexFormat.of()
				.toHexDigits(net.jpountz.xxhash.XXHashFactory.safeInstance().hash64().hash(content, 0, content.length, 0)))
			.containsEntry("bytes_total", content.length);
	}

	@Test
	void initiateRefusesWhatCannotWork() {
		User owner = TestTokens.user();
		for (Map<String, Object> bad : java.util.List.<Map<String, Object>>of(
				Map.of("size", 10, "chunk_size", CHUNK, "dataset_name", "x"),
				Map.of("filename", "a/b", "size", 10, "chunk_size", CHUNK, "dataset_name", "x"),
				Map.of("filename", "a", "size", -1, "chunk_size", CHUNK, "dataset_name", "x"),
				Map.of("filename", "a", "size", 10 * 1024 * 1024, "chunk_size", CHUNK, "dataset_name", "x"),
				Map.of("filename", "a", "size", 10 * CHUNK, "chunk_size", 2 * 1024 * 1024, "dataset_name", "x"),
				Map.of("filename", "a", "size", 10, "chunk_size", CHUNK, "dataset_name", "x", "sha256", "abc"))) {
			this.client.post().uri("/api/upload/initiate").headers((h) -> h.setBearerAuth(owner.token())).bodyValue(bad)
				.exchange()
				.expectStatus().value((status) -> assertThat(status).isIn(400, 413))
				.expectBody().jsonPath("$.success").isEqualTo(false);
		}
		this.client.post().uri("/api/upload/initiate").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"filename\": ").exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo("VALIDATION_ERROR");
	}

	@Test
	void cancellingAnUploadFreesItsChunks() {
		User owner = TestTokens.user();
		byte[] content = new byte[2 * CHUNK];
		String job = (String) this.client.post().uri("/api/upload/initiate").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("filename", "c.bin", "size", content.length, "chunk_size", CHUNK, "dataset_name", "Cancel"))
			.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("job_id");
		chunk(this.client, owner, job, 0, part(content, 0)).expectStatus().isOk();
		this.client.post().uri("/portal/api/cancel-job").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("job_id", job)).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.data.status").isEqualTo("cancelled");
		java.nio.file.Path spool = java.nio.file.Path.of(this.environment.getProperty("sciport.upload.spool-directory"));
		assertThat(spool.resolve(job)).doesNotExist();
		chunk(this.client, owner, job, 1, part(content, 1)).expectStatus().isEqualTo(409);
	}

	private ConfigurableApplicationContext secondInstance() {
		String[] names = { "sciport.database.url", "sciport.database.username", "sciport.database.password",
				"sciport.upload.storage-directory", "sciport.upload.spool-directory", "sciport.upload.dataset-service" };
		java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of("--server.port=0",
				"--spring.main.web-application-type=reactive", "--spring.kafka.bootstrap-servers=" + TestInfrastructure.kafkaBootstrap(),
				"--sciport.upload.max-chunk-size=1MB", "--sciport.upload.max-file-size=8MB"));
		for (String name : names) {
			arguments.add("--" + name + "=" + this.environment.getProperty(name, ""));
		}
		return UploadServiceApplication.builder().sources(TestTokens.class, org.sciport.upload.OwnNettyResources.class).run(arguments.toArray(String[]::new));
	}

	private static WebTestClient.ResponseSpec chunk(WebTestClient client, User user, String job, int index, byte[] bytes) {
		return client.put().uri("/api/upload/chunk/" + job + "/" + index).headers((h) -> h.setBearerAuth(user.token()))
			.header(ChunkedUploadController.CHUNK_SHA256, sha256(bytes))
			.contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(bytes).exchange();
	}

	private static byte[] part(byte[] content, int index) {
		return Arrays.copyOfRange(content, index * CHUNK, Math.min(content.length, (index + 1) * CHUNK));
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

}
