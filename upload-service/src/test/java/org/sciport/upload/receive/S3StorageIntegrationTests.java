package org.sciport.upload.receive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import com.adobe.testing.s3mock.S3MockApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sciport.commons.storage.BlobStore;
import org.sciport.commons.storage.S3BlobStore;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.upload.Bucket;
import org.sciport.upload.Catalogue;
import org.sciport.upload.UploadServiceIntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * upload-service configured for S3-compatible storage (S3Mock, inside the test JVM): a file
 * uploaded through the API lands in the bucket whole, is converted from there, and leaves the
 * bucket with its dataset.
 */
@UploadServiceIntegrationTest
class S3StorageIntegrationTests {

	private static S3MockApplication server;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		Catalogue.register(registry, "upload_s3");
		server = Bucket.start("sciport-uploads");
		registry.add("sciport.upload.storage.type", () -> "s3");
		registry.add("sciport.upload.storage.s3.endpoint", () -> "http://127.0.0.1:" + server.getHttpPort());
		registry.add("sciport.upload.storage.s3.bucket", () -> "sciport-uploads");
		registry.add("sciport.upload.storage.s3.prefix", () -> "sciport");
		registry.add("sciport.upload.storage.s3.access-key", () -> "test");
		registry.add("sciport.upload.storage.s3.secret-key", () -> "test-secret");
	}

	@AfterAll
	static void stopServer() {
		if (server != null) {
			server.stop();
		}
	}

	@Autowired
	WebTestClient client;

	@Autowired
	BlobStore blobs;

	@Test
	void anUploadLandsInTheBucketIsConvertedAndLeavesWithItsDataset() throws Exception {
		assertThat(this.blobs).isInstanceOf(S3BlobStore.class);
		User owner = TestTokens.user();
		StringBuilder csv = new StringBuilder("x,y\n");
		Random random = new Random(1);
		while (csv.length() < 6 * 1024 * 1024) {
			csv.append(random.nextInt(1000)).append(',').append(random.nextDouble()).append('\n');
		}
		byte[] content = csv.toString().getBytes(StandardCharsets.UTF_8);
		MultipartBodyBuilder body = new MultipartBodyBuilder();
		body.part("file", new ByteArrayResource(content) {
			@Override
			public String getFilename() {
				return "points.csv";
			}
		});
		body.part("dataset_name", "In the bucket");
		Map<String, Object> answer = this.client.post().uri("/api/upload/upload").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.MULTIPART_FORM_DATA).body(BodyInserters.fromMultipartData(body.build()))
			.exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
		String job = (String) answer.get("job_id");
		String key = BlobIntake.blobKey(java.util.UUID.fromString(job));
		byte[] stored = DataBufferUtils.join(this.blobs.read(key)).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return bytes;
		}).block(Duration.ofSeconds(30));
		assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)))
			.isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));

		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		Map<String, Object> status = Map.of();
		while (System.nanoTime() < deadline && !"done".equals(status.get("status"))) {
			status = this.client.get().uri("/v1/jobs/" + job).headers((h) -> h.setBearerAuth(owner.token())).exchange()
				.expectBody(MAP).returnResult().getResponseBody();
			Thread.sleep(100);
		}
		assertThat(status).containsEntry("status", "done");
		assertThat(status.get("metadata").toString()).contains("rows");

		WebTestClient.bindToServer().baseUrl(Catalogue.url()).build().delete()
			.uri("/v1/datasets/" + answer.get("dataset_id")).headers((h) -> h.setBearerAuth(owner.token()))
			.exchange().expectStatus().isNoContent();
		deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline && this.blobs.stat(key).block(Duration.ofSeconds(10)) != null) {
			Thread.sleep(100);
		}
		assertThat(this.blobs.stat(key).block(Duration.ofSeconds(10))).isNull();
	}

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

}
