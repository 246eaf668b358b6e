package org.sciport.dataset.status;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TopicWriter;
import org.sciport.testsupport.TestTokens.User;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Files that harvests, workflow runs and uploads put into a dataset, from their events on real
 * Kafka: registered once each (a replayed event changes nothing), with the dataset's totals
 * counted from all of them.
 */
@DatasetServiceIntegrationTest
class RegisteredFilesIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_files");
	}

	@Autowired
	WebTestClient client;

	@Test
	@SuppressWarnings("unchecked")
	void harvestedFilesWorkflowOutputsAndUploadsAllCountOnce() throws Exception {
		User owner = TestTokens.user();
		String dataset = (String) this.client.post().uri("/v1/datasets").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Instrument 7"))
			.exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("id");
		String harvest = event(Topics.HARVEST, "transfer-1", "sciport.harvest.transfer.completed", "{\"dataset_id\":\"" + dataset
				+ "\",\"transfer_id\":\"transfer-1\",\"files\":[{\"file_id\":\"" + UUID.randomUUID()
				+ "\",\"filename\":\"frame-001.h5\",\"size_bytes\":1000,\"sha256\":\"ab\"},"
				+ "{\"filename\":\"frame-002.h5\",\"size_bytes\":2000}]}");
		publish(Topics.HARVEST, "transfer-1", harvest);
		awaitFiles(owner, dataset, 2);
		// The same event again (a replay) and a workflow run's outputs.
		publish(Topics.HARVEST, "transfer-1", harvest);
		String run = event(Topics.WORKFLOW, "run-9", "sciport.workflow.run.completed", "{\"dataset_id\":\"" + dataset
				+ "\",\"run_id\":\"run-9\",\"requested_by\":\"" + owner.id()
				+ "\",\"outputs\":[{\"filename\":\"fit.csv\",\"size_bytes\":300}]}");
		publish(Topics.WORKFLOW, "run-9", run);
		// A run acting for someone who may not change the dataset, and one acting for nobody: neither lands.
		publish(Topics.WORKFLOW, "run-9", event(Topics.WORKFLOW, "run-9", "sciport.workflow.run.completed",
				"{\"dataset_id\":\"" + dataset + "\",\"run_id\":\"run-10\",\"requested_by\":\"" + TestTokens.user().id()
						+ "\",\"outputs\":[{\"filename\":\"planted.csv\",\"size_bytes\":5}]}"));
		publish(Topics.WORKFLOW, "run-9", event(Topics.WORKFLOW, "run-9", "sciport.workflow.run.completed",
				"{\"dataset_id\":\"" + dataset + "\",\"run_id\":\"run-11\",\"outputs\":[{\"filename\":\"orphan.csv\",\"size_bytes\":5}]}"));
		// The run's event replayed, too.
		publish(Topics.WORKFLOW, "run-9", run);
		// Each replay was read before a marker sent after it on the same key: then the count is final.
		settle(owner, Topics.HARVEST, "transfer-1", "sciport.harvest.transfer.completed", "files");
		settle(owner, Topics.WORKFLOW, "run-9", "sciport.workflow.run.completed", "outputs");
		awaitFiles(owner, dataset, 3);
		// An upload completes into the same dataset: the totals count every file.
		publish(Topics.UPLOAD, dataset, event(Topics.UPLOAD, dataset, "sciport.upload.completed", "{\"dataset_id\":\"" + dataset
				+ "\",\"upload_id\":\"" + UUID.randomUUID() + "\",\"filename\":\"notes.txt\",\"size_bytes\":4,"
				+ "\"dataset_size_bytes\":4,\"dataset_file_count\":1}"));
		awaitFiles(owner, dataset, 4);
		Map<String, Object> details = this.client.get().uri("/v1/datasets/" + dataset)
			.headers((h) -> h.setBearerAuth(owner.token())).exchange().expectBody(MAP).returnResult().getResponseBody();
		assertThat(details).containsEntry("file_count", 4).containsEntry("size_bytes", 3304)
			.containsEntry("status", "conversion_queued");
		List<Map<String, Object>> files = files(owner, dataset);
		assertThat(files).extracting((file) -> file.get("filename"))
			.containsExactlyInAnyOrder("frame-001.h5", "frame-002.h5", "fit.csv", "notes.txt");
		// Another user still sees none of it.
		this.client.get().uri("/v1/datasets/" + dataset + "/files").headers((h) -> h.setBearerAuth(TestTokens.user().token()))
			.exchange().expectStatus().isNotFound();
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> files(User user, String dataset) {
		return (List<Map<String, Object>>) this.client.get().uri("/v1/datasets/" + dataset + "/files")
			.headers((h) -> h.setBearerAuth(user.token())).exchange().expectStatus().isOk()
			.expectBody(MAP).returnResult().getResponseBody().get("data");
	}

	private void awaitFiles(User user, String dataset, int count) {
		await().atMost(Duration.ofSeconds(30)).until(() -> files(user, dataset).size() >= count);
		assertThat(files(user, dataset)).hasSize(count);
	}

	/**
	 * Sends a marker event on {@code key} after whatever went before on it, into a dataset of
	 * its own, and waits until it is applied: records of one key are read in order, so everything
	 * sent before it on that key has been applied (or skipped) by then.
	 */
	private void settle(User owner, String topic, String key, String type, String list) throws Exception {
		String marker = (String) this.client.post().uri("/v1/datasets").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Marker " + UUID.randomUUID()))
			.exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("id");
		publish(topic, key, event(topic, key, type, "{\"dataset_id\":\"" + marker + "\",\"requested_by\":\"" + owner.id() + "\",\"" + list
				+ "\":[{\"filename\":\"marker.txt\",\"size_bytes\":1}]}"));
		await().atMost(Duration.ofSeconds(30)).until(() -> files(owner, marker).size() == 1);
	}

	private static String event(String topic, String subject, String type, String data) {
		return TopicWriter.event("/sciport/" + topic, type, subject, data);
	}

	private static void publish(String topic, String key, String event) throws Exception {
		TopicWriter.publish(topic, key, event);
	}

	static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
	};

}
