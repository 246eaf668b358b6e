package org.sciport.upload.receive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import net.jpountz.xxhash.XXHashFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TopicReader;
import org.sciport.upload.Catalogue;
import org.sciport.upload.UploadProperties;
import org.sciport.upload.UploadServiceIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole-file uploads on a real database, broker and catalogue: what the seeds' clients send,
 * what they get back, what lands in storage, the catalogue and on Kafka, and the refusals.
 */
@UploadServiceIntegrationTest
class SingleUploadIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		Catalogue.register(registry, "upload_single");
	}

	@Autowired
	WebTestClient client;

	@Autowired
	UploadProperties properties;

	private final WebTestClient catalogue = WebTestClient.bindToServer().baseUrl(Catalogue.url())
		.responseTimeout(Duration.ofSeconds(30)).build();

	@Test
	void takesEveryDocumentedUploadFieldAndAnswersAsThePortalsClientsRead() {
		User owner = TestTokens.user();
		String team = (String) this.catalogue.post().uri("/v1/teams").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("name", "Beamline")).exchange().expectStatus().isCreated()
			.expectBody(MAP).returnResult().getResponseBody().get("id");
		byte[] bytes = "not really nexus".getBytes(StandardCharsets.UTF_8);
		Map<String, Object> fields = new java.util.LinkedHashMap<>();
		fields.put("dataset_name", "My Dataset");
		fields.put("sensor", "4D_NEXUS");
		fields.put("convert", "false");
		fields.put("is_public", "true");
		fields.put("folder", "CHESS_4D");
		fields.put("tags", "nexus, 4d,chess");
		fields.put("team_uuid", team);
		Map<String, Object> answer = upload(owner, "/api/upload/upload", bytes, "file.nxs", fields)
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
		assertThat(answer).containsEntry("success", true).containsKeys("job_id", "dataset_uuid", "message");
		String job = (String) answer.get("job_id");
		String dataset = (String) answer.get("dataset_uuid");
		// Stored as it is (convert=false): the polling loop of the documents ends on "completed".
		Map<String, Object> status = awaitPortalStatus(owner, job, "completed");
		assertThat(status).containsEntry("progress_percentage", 100).containsEntry("dataset_uuid", dataset)
			.containsEntry("job_id", job);
		assertThat(((Map<?, ?>) status.get("data")).get("metadata").toString()).contains("stored_as_is=true");
		this.catalogue.get().uri("/portal/api/dataset-details?dataset_uuid=" + dataset)
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.dataset.sensor").isEqualTo("4D_NEXUS")
			.jsonPath("$.dataset.is_public").isEqualTo(true)
			.jsonPath("$.dataset.folder").isEqualTo("CHESS_4D")
			.jsonPath("$.dataset.tags.length()").isEqualTo(3)
			.jsonPath("$.dataset.team_uuid").isEqualTo(team);
		// The file's bytes, whole or a range; the dataset is public, so a stranger reads them too.
		String content = "/portal/api/dataset-file-content?dataset_uuid=" + dataset + "&file_path=file.nxs&directory=upload";
		assertThat(this.client.get().uri(content).headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectStatus().isOk().expectHeader().contentLength(bytes.length)
			.expectBody(byte[].class).returnResult().getResponseBody()).isEqualTo(bytes);
		User stranger = TestTokens.user();
		this.client.get().uri(content).headers((h) -> h.setBearerAuth(stranger.token())).header("Range", "bytes=4-9")
			.exchange().expectStatus().isEqualTo(206).expectHeader().valueEquals("Content-Range", "bytes 4-9/" + bytes.length)
			.expectBody(String.class).isEqualTo("really");
		this.client.get().uri(content).headers((h) -> h.setBearerAuth(owner.token())).header("Range", "bytes=-5")
			.exchange().expectStatus().isEqualTo(206).expectBody(String.class).isEqualTo("nexus");
		this.client.get().uri(content).headers((h) -> h.setBearerAuth(owner.token())).header("Range", "bytes=999-")
			.exchange().expectStatus().isEqualTo(416);
		this.client.get().uri(content.replace("file.nxs", "missing.nxs")).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isNotFound();
		this.client.get().uri(content.replace(dataset, UUID.randomUUID().toString()))
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectStatus().isNotFound()
			.expectBody().jsonPath("$.code").isEqualTo("DATASET_NOT_FOUND");
		this.client.get().uri(content.replace("directory=upload", "directory=elsewhere"))
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectStatus().isBadRequest();
		// Nobody uploads in another account's name.
		upload(owner, "/api/upload/upload", bytes, "fifth.nxs", Map.of("dataset_name", "x", "user_email", "someone@example.org"))
			.expectStatus().isForbidden().expectBody().jsonPath("$.code").isEqualTo("ACCESS_DENIED");
		// A second file into the same dataset.
		Map<String, Object> second = upload(owner, "/api/upload/upload", bytes, "second.nxs",
				Map.of("dataset_identifier", dataset, "add_to_existing", "true", "convert", "false"))
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
		assertThat(second).containsEntry("dataset_uuid", dataset);
		awaitPortalStatus(owner, (String) second.get("job_id"), "completed");
		upload(owner, "/api/upload/upload", bytes, "third.nxs", Map.of("dataset_identifier", dataset))
			.expectStatus().isBadRequest().expectBody().jsonPath("$.field").isEqualTo("add_to_existing");
		upload(owner, "/api/upload/upload", bytes, "fourth.nxs", Map.of("dataset_name", "x", "convert", "maybe"))
			.expectStatus().isBadRequest().expectBody().jsonPath("$.field").isEqualTo("convert");
		// The job list in the documents' terms.
		this.client.get().uri("/api/upload/jobs?status=completed&limit=1&offset=0")
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.jobs.length()").isEqualTo(1)
			.jsonPath("$.jobs[0].status").isEqualTo("completed")
			.jsonPath("$.jobs[0].dataset_uuid").isEqualTo(dataset)
			.jsonPath("$.jobs[0].dataset_name").isEqualTo("My Dataset")
			.jsonPath("$.total").isEqualTo(2);
		this.client.get().uri("/portal/api/jobs.php?status=completed&offset=1&t=99")
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.jobs.length()").isEqualTo(1)
			.jsonPath("$.jobs[0].job_id").isEqualTo(job);
		// The three refused requests are failed jobs, with the reason.
		this.client.get().uri("/api/upload/jobs?status=failed").headers((h) -> h.setBearerAuth(owner.token())).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.jobs.length()").isEqualTo(3)
			.jsonPath("$.jobs[0].message").isEqualTo("convert must be true or false");
		this.client.post().uri("/portal/api/retry-conversion").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("dataset_uuid", dataset)).exchange().expectStatus().isEqualTo(409)
			.expectBody().jsonPath("$.success").isEqualTo(false);
	}

	private Map<String, Object> awaitPortalStatus(User owner, String job, String wanted) {
		return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
			.until(() -> this.client.get().uri("/api/upload/status/" + job).headers((h) -> h.setBearerAuth(owner.token()))
				.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody(),
					(status) -> wanted.equals(status.get("status")));
	}

	@Test
	void seedUploadCreatesTheDatasetStoresTheFileWithItsChecksumsAndConvertsIt() throws Exception {
		User owner = TestTokens.user();
		byte[] csv = "time,temperature,label\n1,20.5,a\n2,21,b\n3,,c\n".getBytes(StandardCharsets.UTF_8);
		Map<String, Object> answer = upload(owner, "/api/upload/upload", csv, "run.csv", Map.of("dataset_name", "My Dataset"))
			.expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody();
		assertThat(answer).containsEntry("success", true).containsKey("job_id");
		String job = (String) answer.get("job_id");
		String dataset = (String) answer.get("dataset_id");

		Map<String, Object> status = awaitJob(owner, job, "done");
		assertThat(status).containsEntry("bytes_received", csv.length).containsEntry("bytes_total", csv.length)
			.containsEntry("percent", 100).containsEntry("format", "csv")
			.containsEntry("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(csv)))
			.containsEntry("xxhash64", HexFormat.of().toHexDigits(XXHashFactory.safeInstance().hash64().hash(csv, 0, csv.length, 0)))
			.containsEntry("state", "done").containsEntry("error", null)
			.containsKeys("created_at", "updated_at", "completed_at");
		assertThat(java.time.Instant.parse((String) status.get("completed_at")))
			.isAfterOrEqualTo(java.time.Instant.parse((String) status.get("created_at")));
		try (Stream<Path> stored = Files.walk(this.properties.storageDirectory().resolve("uploads"))) {
			List<Path> files = stored.filter((path) -> path.getFileName().toString().equals(job)).toList();
			assertThat(files).hasSize(1);
			assertThat(Files.readAllBytes(files.get(0))).isEqualTo(csv);
		}

		// The catalogue shows the dataset done, with its file and what conversion found.
		awaitDatasetStatus(owner, dataset, "done");
		this.catalogue.get().uri("/portal/api/dataset-files?dataset_id=" + dataset)
			.headers((h) -> h.setBearerAuth(owner.token()))
			.exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.data.files[0].filename").isEqualTo("run.csv")
			.jsonPath("$.data.files[0].size_bytes").isEqualTo(csv.length)
			.jsonPath("$.data.files[0].metadata.rows").isEqualTo(3)
			.jsonPath("$.data.files[0].metadata.columns[1].type").isEqualTo("number");
		this.catalogue.get().uri("/v1/datasets/" + dataset).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectBody()
			.jsonPath("$.name").isEqualTo("My Dataset")
			.jsonPath("$.size_bytes").isEqualTo(csv.length)
			.jsonPath("$.file_count").isEqualTo(1)
			.jsonPath("$.metadata.extracted['run.csv'].column_count").isEqualTo(3);

		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.UPLOAD)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords((record) -> job.equals(record.key()), 3,
					Duration.ofSeconds(30));
			assertThat(events).extracting(SingleUploadIntegrationTests::type)
				.containsExactly("sciport.upload.completed", "sciport.conversion.started", "sciport.conversion.completed");
			assertThat(events.get(0).value()).contains("\"dataset_id\":\"" + dataset + "\"")
				.contains("\"size_bytes\":" + csv.length).contains("\"content_type\":\"text/csv\"")
				.contains("\"sha256\":\"" + status.get("sha256") + "\"")
				.contains("\"xxhash64\":\"" + status.get("xxhash64") + "\"")
				.contains("\"filename\":\"run.csv\"")
				.contains("\"path\":\"uploads/" + job.substring(0, 2) + "/" + job + "\"");
		}
	}

	@Test
	void projectUploadAnswersTheSeedRecordAndTheRowCountReachesTheDataRecord() {
		User owner = TestTokens.user();
		String project = (String) this.catalogue.post().uri("/v1/projects")
			.headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("name", "Beamtime"))
			.exchange()
			.expectStatus().isCreated()
			.expectBody(MAP).returnResult().getResponseBody().get("id");
		byte[] csv = "a,b\n1,2\n3,4\n5,6\n7,8\n".getBytes(StandardCharsets.UTF_8);
		Map<String, Object> record = upload(owner, "/v1/data/upload", csv, "data.csv", Map.of("project_id", project))
			.expectStatus().isCreated()
			.expectBody(MAP).returnResult().getResponseBody();
		assertThat(record).containsEntry("project_id", project).containsEntry("filename", "data.csv")
			.containsEntry("size", csv.length).containsEntry("status", "processing").containsKey("created_at");
		assertThat((String) record.get("id")).startsWith("data_");
		awaitDataRows(owner, (String) record.get("id"), 4);

		// Someone else's project is not there for them.
		upload(TestTokens.user(), "/v1/data/upload", csv, "data.csv", Map.of("project_id", project))
			.expectStatus().isNotFound().expectBody().jsonPath("$.error.code").isEqualTo("RESOURCE_NOT_FOUND");
		// Too large: 413 in the native error shape.
		upload(owner, "/v1/data/upload", new byte[9 * 1024 * 1024], "big.csv", Map.of("project_id", project))
			.expectStatus().isEqualTo(413)
			.expectBody().jsonPath("$.error.code").isEqualTo("PAYLOAD_TOO_LARGE").jsonPath("$.error.request_id").exists();
	}

	@Test
	@SuppressWarnings("unchecked")
	void refusesBadInputClearlyAndStoresNothing() throws Exception {
		User owner = TestTokens.user();
		byte[] bytes = "x".getBytes(StandardCharsets.UTF_8);
		Map<String, Object> named = Map.of("dataset_name", "Bad input");
		record Case(String filename, byte[] content, Map<String, Object> fields, int status, String field) {
		}
		for (Case bad : List.of(new Case("../etc/passwd", bytes, named, 400, "filename"),
				new Case("empty.txt", new byte[0], named, 400, "file"),
				new Case("a.txt", bytes, Map.of(), 400, "dataset_name"),
				new Case("a.txt", bytes, Map.of("dataset_id", "not-a-uuid"), 400, "dataset_id"),
				new Case("a.txt", bytes, Map.of("dataset_name", "x", "format", "docx"), 400, "format"))) {
			upload(owner, "/api/upload/upload", bad.content(), bad.filename(), bad.fields())
				.expectStatus().isEqualTo(bad.status())
				.expectBody()
				.jsonPath("$.success").isEqualTo(false)
				.jsonPath("$.code").isEqualTo("VALIDATION_ERROR")
				.jsonPath("$.error").value((message) -> assertThat((String) message).contains(bad.field()));
		}
		// Too large: 413 in the seed's shape.
		upload(owner, "/api/upload/upload", new byte[9 * 1024 * 1024], "big.bin", named)
			.expectStatus().isEqualTo(413)
			.expectBody().jsonPath("$.code").isEqualTo("PAYLOAD_TOO_LARGE");
		// Another user's dataset does not exist for this caller.
		String foreign = (String) upload(TestTokens.user(), "/api/upload/upload", bytes, "a.txt", Map.of("dataset_name", "theirs"))
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("dataset_id");
		upload(owner, "/api/upload/upload", bytes, "a.txt", Map.of("dataset_id", foreign))
			.expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("DATASET_NOT_FOUND");
		// No file part at all.
		MultipartBodyBuilder onlyFields = new MultipartBodyBuilder();
		onlyFields.part("dataset_name", "nothing");
		this.client.post().uri("/api/upload/upload").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(BodyInserters.fromMultipartData(onlyFields.build()))
			.exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error").isEqualTo("file is required");
		// A NUL in the file name, sent as raw bytes (client libraries drop it).
		String nulBoundary = "nulb0undary";
		byte[] withNul = ("--" + nulBoundary + "\r\nContent-Disposition: form-data; name=\"dataset_name\"\r\n\r\nN\r\n--"
				+ nulBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\u0000b.txt\"\r\n"
				+ "Content-Type: text/plain\r\n\r\nx\r\n--" + nulBoundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
		this.client.post().uri("/api/upload/upload").headers((h) -> h.setBearerAuth(owner.token()))
			.header(HttpHeaders.CONTENT_TYPE, "multipart/form-data; boundary=" + nulBoundary)
			.bodyValue(withNul)
			.exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error")
			.value((message) -> assertThat((String) message).contains("NUL"));
		// A truncated multipart body: the stream ends before its closing boundary.
		String boundary = "b0undary";
		byte[] truncated = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"dataset_name\"\r\n\r\nT\r\n--"
				+ boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.bin\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n0123456789").getBytes(StandardCharsets.UTF_8);
		this.client.post().uri("/api/upload/upload").headers((h) -> h.setBearerAuth(owner.token()))
			.header(HttpHeaders.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary)
			.bodyValue(truncated)
			.exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.success").isEqualTo(false);

		// Nothing of all this was kept as a file, and no job of this user completed.
		this.client.get().uri("/api/upload/jobs?limit=100").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.data.jobs[*].status").value((statuses) -> assertThat((List<Object>) statuses).containsOnly("failed"))
			.jsonPath("$.data.jobs[*].completed_at").value((done) -> assertThat((List<Object>) done).containsOnlyNulls());
		try (Stream<Path> incoming = Files.list(this.properties.storageDirectory().resolve(".incoming"))) {
			assertThat(incoming).isEmpty();
		}
	}

	@Test
	void jobsAreTheirOwnersOnly() {
		User owner = TestTokens.user();
		User stranger = TestTokens.user();
		String job = (String) upload(owner, "/api/upload/upload", "{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8), "x.json",
				Map.of("dataset_name", "Mine"))
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("job_id");
		this.client.get().uri("/api/upload/status/" + job).headers((h) -> h.setBearerAuth(stranger.token()))
			.exchange().expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("RESOURCE_NOT_FOUND");
		this.client.get().uri("/v1/jobs/" + job).headers((h) -> h.setBearerAuth(stranger.token()))
			.exchange().expectStatus().isNotFound().expectBody().jsonPath("$.error.code").isEqualTo("RESOURCE_NOT_FOUND");
		this.client.post().uri("/portal/api/cancel-job").headers((h) -> h.setBearerAuth(stranger.token()))
			.bodyValue(Map.of("job_id", job)).exchange().expectStatus().isNotFound();
		this.client.get().uri("/api/upload/status/" + java.util.UUID.randomUUID()).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isNotFound();
		this.client.get().uri("/api/upload/jobs").headers((h) -> h.setBearerAuth(stranger.token()))
			.exchange().expectStatus().isOk().expectBody().jsonPath("$.data.jobs.length()").isEqualTo(0);
		this.client.get().uri("/portal/api/jobs").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.data.jobs[0].job_id").isEqualTo(job)
			.jsonPath("$.data.pagination.total").isEqualTo(1);
		this.client.get().uri("/portal/api/jobs?state=done").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.success").isEqualTo(false);
		this.client.get().uri("/v1/jobs?state=done").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("state");
		this.client.get().uri("/v1/jobs?status=done&per_page=5").headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isOk();
		this.client.get().uri("/api/upload/status/" + job).exchange().expectStatus().isUnauthorized();
	}

	@Test
	void aFailedConversionIsRetriedThenFailsAndCanBeQueuedAgain() {
		User owner = TestTokens.user();
		String job = (String) upload(owner, "/api/upload/upload", "{\"broken\": ".getBytes(StandardCharsets.UTF_8), "bad.json",
				Map.of("dataset_name", "Broken"))
			.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("job_id");
		Map<String, Object> failed = awaitJob(owner, job, "conversion_failed");
		assertThat(failed).containsEntry("attempts", 3);
		assertThat((String) failed.get("error")).contains("not valid JSON");
		// Cancelling a failed conversion is a conflict; retrying queues it again.
		this.client.post().uri("/portal/api/cancel-job").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("job_id", job)).exchange().expectStatus().isEqualTo(409);
		this.client.post().uri("/portal/api/retry-conversion").headers((h) -> h.setBearerAuth(owner.token()))
			.bodyValue(Map.of("job_id", job)).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.data.attempts").isEqualTo(0);
		assertThat(awaitJob(owner, job, "conversion_failed")).containsEntry("attempts", 3);
	}

	WebTestClient.ResponseSpec upload(User user, String path, byte[] content, String filename, Map<String, Object> fields) {
		MultipartBodyBuilder body = new MultipartBodyBuilder();
		body.part("file", new ByteArrayResource(content) {
			@Override
			public String getFilename() {
				return filename;
			}
		}).contentType(filename.endsWith(".csv") ? MediaType.parseMediaType("text/csv") : MediaType.APPLICATION_OCTET_STREAM);
		fields.forEach(body::part);
		return this.client.post().uri(path).headers((h) -> h.setBearerAuth(user.token()))
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(BodyInserters.fromMultipartData(body.build()))
			.exchange();
	}

	Map<String, Object> awaitJob(User user, String job, String status) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		Map<String, Object> seen = Map.of();
		while (System.nanoTime() < deadline) {
			Map<String, Object> body = this.client.get().uri("/api/upload/status/" + job)
				.headers((h) -> h.setBearerAuth(user.token()))
				.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
			@SuppressWarnings("unchecked")
			Map<String, Object> data = (Map<String, Object>) body.get("data");
			seen = data;
			if (status.equals(data.get("status"))) {
				return data;
			}
			pause();
		}
		assertThat(seen.get("status")).as("status of job " + job).isEqualTo(status);
		return seen;
	}

	void awaitDatasetStatus(User user, String dataset, String status) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		Object seen = null;
		while (System.nanoTime() < deadline) {
			seen = this.catalogue.get().uri("/v1/datasets/" + dataset).headers((h) -> h.setBearerAuth(user.token()))
				.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("status");
			if (status.equals(seen)) {
				return;
			}
			pause();
		}
		assertThat(seen).as("status of dataset " + dataset).isEqualTo(status);
	}

	void awaitDataRows(User user, String data, int rows) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		Map<String, Object> seen = Map.of();
		while (System.nanoTime() < deadline) {
			int code = this.catalogue.get().uri("/v1/data/" + data).headers((h) -> h.setBearerAuth(user.token()))
				.exchange().returnResult(Void.class).getStatus().value();
			if (code == 200) {
				seen = this.catalogue.get().uri("/v1/data/" + data).headers((h) -> h.setBearerAuth(user.token()))
					.exchange().expectBody(MAP).returnResult().getResponseBody();
				if (Integer.valueOf(rows).equals(seen.get("rows"))) {
					return;
				}
			}
			pause();
		}
		assertThat(seen.get("rows")).as("rows of " + data).isEqualTo(rows);
	}

	private static String type(ConsumerRecord<String, String> record) {
		return tools.jackson.databind.json.JsonMapper.builder().build().readTree(record.value()).path("type").asString();
	}

	private static void pause() {
		try {
			Thread.sleep(100);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

}
