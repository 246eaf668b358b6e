package org.sciport.dataset.catalogue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.sciport.commons.event.Topics;
import org.sciport.dataset.DatasetServiceIntegrationTest;
import org.sciport.testsupport.TestTokens;
import org.sciport.testsupport.TopicWriter;
import org.sciport.testsupport.TestTokens.User;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicReader;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalogue on a real database and broker: datasets, teams and shares, who may do what,
 * lists with their filters, sorts and pages, and the refusals of bad input.
 */
@DatasetServiceIntegrationTest
class CatalogueIntegrationTests {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.register(registry, "dataset_catalogue");
	}

	@Autowired
	WebTestClient client;

	@Test
	void ownersCreateReadUpdateAndDeleteAndEachChangeIsAnnounced() {
		User owner = TestTokens.user();
		Map<String, Object> created = create(owner, Map.of("name", "Spectra 2026", "description", "XRD runs",
				"tags", List.of("xrd", "chess"), "metadata", Map.of("beamline", "ID3A")));
		String id = (String) created.get("id");
		assertThat(created).containsEntry("status", "uploading").containsEntry("access", "owner")
			.containsEntry("owner_id", owner.id().toString());
		call(owner, HttpMethod.PATCH, "/v1/datasets/" + id, Map.of("description", "XRD runs, cleaned", "tags", List.of("xrd")))
			.expectStatus().isOk()
			.expectBody().jsonPath("$.description").isEqualTo("XRD runs, cleaned").jsonPath("$.tags.length()").isEqualTo(1)
			.jsonPath("$.metadata.beamline").isEqualTo("ID3A");
		call(owner, HttpMethod.DELETE, "/v1/datasets/" + id, null).expectStatus().isNoContent();
		call(owner, HttpMethod.GET, "/v1/datasets/" + id, null).expectStatus().isNotFound();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.DATASET)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords((record) -> id.equals(record.key()), 3,
					Duration.ofSeconds(30));
			assertThat(events).extracting((record) -> record.value().replaceAll(".*\"type\":\"([^\"]+)\".*", "$1"))
				.containsExactly("sciport.dataset.created", "sciport.dataset.updated", "sciport.dataset.deleted");
		}
	}

	@Test
	void movesIntoAFolderReplacesMetadataAndAnnouncesEachShare() {
		User owner = TestTokens.user();
		String folder = (String) body(call(owner, HttpMethod.POST, "/v1/folders", Map.of("name", "Scans")).expectStatus()
			.isCreated()).get("id");
		String team = (String) body(call(owner, HttpMethod.POST, "/v1/teams", Map.of("name", "Optics")).expectStatus()
			.isCreated()).get("id");
		String id = (String) create(owner, Map.of("name", "Run 7", "metadata", Map.of("beamline", "ID3A", "energy", 12))).get("id");
		call(owner, HttpMethod.PATCH, "/v1/datasets/" + id, Map.of("folder_id", folder, "metadata", Map.of("sample", "Si")))
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.folder_id").isEqualTo(folder)
			.jsonPath("$.metadata.sample").isEqualTo("Si")
			.jsonPath("$.metadata.beamline").doesNotExist();
		call(owner, HttpMethod.GET, "/v1/datasets?folder_id=" + folder, null).expectBody()
			.jsonPath("$.data[*].id").isEqualTo(List.of(id));
		// Out of the folder again; someone else's folder is refused.
		String foreign = (String) body(call(TestTokens.user(), HttpMethod.POST, "/v1/folders", Map.of("name", "Theirs"))
			.expectStatus().isCreated()).get("id");
		call(owner, HttpMethod.PATCH, "/v1/datasets/" + id, Map.of("folder_id", foreign)).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("folder_id");
		java.util.Map<String, Object> outOfFolder = new java.util.HashMap<>();
		outOfFolder.put("folder_id", null);
		call(owner, HttpMethod.PATCH, "/v1/datasets/" + id, outOfFolder).expectStatus().isOk()
			.expectBody().jsonPath("$.folder_id").doesNotExist();
		call(owner, HttpMethod.PUT, "/v1/datasets/" + id + "/shares/" + team, Map.of("level", "write")).expectStatus().isOk();
		call(owner, HttpMethod.DELETE, "/v1/datasets/" + id + "/shares/" + team, null).expectStatus().isNoContent();
		call(owner, HttpMethod.DELETE, "/v1/datasets/" + id + "/shares/" + team, null).expectStatus().isNotFound();
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.DATASET)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords((record) -> id.equals(record.key()), 5,
					Duration.ofSeconds(30));
			assertThat(events).extracting((record) -> record.value().replaceAll(".*\"type\":\"([^\"]+)\".*", "$1"))
				.containsExactly("sciport.dataset.created", "sciport.dataset.updated", "sciport.dataset.updated",
						"sciport.dataset.shared", "sciport.dataset.unshared");
			assertThat(events.get(3).value()).contains("\"team_id\":\"" + team + "\"").contains("\"level\":\"write\"");
			assertThat(events.get(4).value()).contains("\"team_id\":\"" + team + "\"");
		}
	}

	@Test
	void aTeamsMembersComingAndGoingAreAnnouncedInOrder() {
		User owner = TestTokens.user();
		User colleague = TestTokens.user();
		String team = (String) body(call(owner, HttpMethod.POST, "/v1/teams",
				Map.of("name", "Announced", "members", List.of(Map.of("user_id", colleague.id().toString()))))
			.expectStatus().isCreated()).get("id");
		call(owner, HttpMethod.DELETE, "/v1/teams/" + team + "/members/" + colleague.id(), null).expectStatus().isOk();
		// A refused change announces nothing: the last owner cannot leave.
		call(owner, HttpMethod.DELETE, "/v1/teams/" + team + "/members/" + owner.id(), null).expectStatus().isEqualTo(409);
		try (TopicReader reader = new TopicReader(TestInfrastructure.kafkaBootstrap(), Topics.DATASET)) {
			List<ConsumerRecord<String, String>> events = reader.awaitRecords((record) -> team.equals(record.key()), 3,
					Duration.ofSeconds(30));
			assertThat(events).extracting((record) -> record.value().replaceAll(".*\"type\":\"([^\"]+)\".*", "$1"))
				.containsExactly("sciport.team.member.added", "sciport.team.member.added", "sciport.team.member.removed");
			assertThat(events.get(0).value()).contains("\"user_id\":\"" + owner.id() + "\"").contains("\"role\":\"owner\"");
			assertThat(events.get(2).value()).contains("\"user_id\":\"" + colleague.id() + "\"");
			assertThat(reader.awaitRecords((record) -> team.equals(record.key()), 4, Duration.ofSeconds(2))).hasSize(3);
		}
	}

	@Test
	void onlyTheRightPeopleReachADatasetAndStrangersCannotTellItExists() {
		User owner = TestTokens.user();
		User stranger = TestTokens.user();
		User colleague = TestTokens.user();
		User admin = TestTokens.admin();
		String team = (String) body(call(owner, HttpMethod.POST, "/v1/teams",
				Map.of("name", "Beamline", "members", List.of(Map.of("user_id", colleague.id().toString()))))
			.expectStatus().isCreated()).get("id");
		String id = (String) create(owner, Map.of("name", "Private run")).get("id");
		String path = "/v1/datasets/" + id;

		for (User outsider : List.of(stranger, colleague)) {
			call(outsider, HttpMethod.GET, path, null).expectStatus().isNotFound();
			call(outsider, HttpMethod.PATCH, path, Map.of("name", "mine")).expectStatus().isNotFound();
			call(outsider, HttpMethod.DELETE, path, null).expectStatus().isNotFound();
			call(outsider, HttpMethod.PUT, path + "/shares/" + team, Map.of("level", "read")).expectStatus().isNotFound();
		}
		call(stranger, HttpMethod.GET, "/v1/datasets/" + UUID.randomUUID(), null).expectStatus().isNotFound()
			.expectBody().jsonPath("$.error.code").isEqualTo("RESOURCE_NOT_FOUND");
		call(admin, HttpMethod.GET, path, null).expectStatus().isOk().expectBody().jsonPath("$.access").isEqualTo("admin");

		call(owner, HttpMethod.PUT, path + "/shares/" + team, Map.of("level", "read")).expectStatus().isOk()
			.expectBody().jsonPath("$.shares[0].team_id").isEqualTo(team).jsonPath("$.shares[0].level").isEqualTo("read");
		call(colleague, HttpMethod.GET, path, null).expectStatus().isOk().expectBody().jsonPath("$.access").isEqualTo("read");
		call(colleague, HttpMethod.PATCH, path, Map.of("name", "changed")).expectStatus().isForbidden();
		call(stranger, HttpMethod.GET, path, null).expectStatus().isNotFound();

		call(owner, HttpMethod.PUT, path + "/shares/" + team, Map.of("level", "write")).expectStatus().isOk();
		call(colleague, HttpMethod.PATCH, path, Map.of("name", "changed")).expectStatus().isOk()
			.expectBody().jsonPath("$.name").isEqualTo("changed");
		call(colleague, HttpMethod.DELETE, path, null).expectStatus().isForbidden();
		call(colleague, HttpMethod.PUT, path + "/shares/" + team, Map.of("level", "read")).expectStatus().isForbidden();

		call(owner, HttpMethod.DELETE, path + "/shares/" + team, null).expectStatus().isNoContent();
		call(colleague, HttpMethod.GET, path, null).expectStatus().isNotFound();
		call(admin, HttpMethod.DELETE, path, null).expectStatus().isNoContent();
		call(owner, HttpMethod.GET, path, null).expectStatus().isNotFound();
	}

	@Test
	void teamsAreManagedByTheirOwnersAndSharingNeedsMembership() {
		User owner = TestTokens.user();
		User member = TestTokens.user();
		User stranger = TestTokens.user();
		String team = (String) body(call(owner, HttpMethod.POST, "/v1/teams", Map.of("name", "Lab")).expectStatus()
			.isCreated()).get("id");
		call(owner, HttpMethod.POST, "/v1/teams/" + team + "/members", Map.of("user_id", member.id().toString()))
			.expectStatus().isCreated()
			.expectBody().jsonPath("$.members.length()").isEqualTo(2);
		call(owner, HttpMethod.POST, "/v1/teams/" + team + "/members", Map.of("user_id", member.id().toString()))
			.expectStatus().isEqualTo(409);
		call(member, HttpMethod.GET, "/v1/teams", null).expectStatus().isOk()
			.expectBody().jsonPath("$.data[0].name").isEqualTo("Lab").jsonPath("$.pagination.total").isEqualTo(1);
		call(member, HttpMethod.PATCH, "/v1/teams/" + team, Map.of("name", "Mine now")).expectStatus().isForbidden();
		call(stranger, HttpMethod.GET, "/v1/teams/" + team, null).expectStatus().isNotFound();
		call(owner, HttpMethod.DELETE, "/v1/teams/" + team + "/members/" + owner.id(), null).expectStatus().isEqualTo(409);
		call(owner, HttpMethod.POST, "/v1/teams", Map.of("name", "Twice", "members",
				List.of(Map.of("user_id", member.id().toString()), Map.of("user_id", member.id().toString()))))
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("members");

		// A stranger cannot share a dataset of theirs with a team they are not in.
		String mine = (String) create(stranger, Map.of("name", "Stranger's")).get("id");
		call(stranger, HttpMethod.PUT, "/v1/datasets/" + mine + "/shares/" + team, Map.of("level", "read"))
			.expectStatus().isNotFound()
			.expectBody().jsonPath("$.error.message").value((String message) -> assertThat(message).contains("team"));
		call(owner, HttpMethod.PUT, "/v1/datasets/" + mine + "/shares/" + team, Map.of("level", "read"))
			.expectStatus().isNotFound();
	}

	@Test
	void listsFilterSortAndPage() {
		User owner = TestTokens.user();
		for (String name : List.of("alpha run", "beta run", "gamma scan", "delta scan", "epsilon run")) {
			create(owner, Map.of("name", name, "tags", name.endsWith("scan") ? List.of("scan") : List.of("run")));
		}
		create(TestTokens.user(), Map.of("name", "someone else's run"));
		call(owner, HttpMethod.GET, "/v1/datasets?sort=name&order=asc&per_page=2", null).expectStatus().isOk()
			.expectBody()
			.jsonPath("$.data[0].name").isEqualTo("alpha run")
			.jsonPath("$.data[1].name").isEqualTo("beta run")
			.jsonPath("$.pagination.total").isEqualTo(5)
			.jsonPath("$.pagination.total_pages").isEqualTo(3)
			.jsonPath("$.links.next").isEqualTo("/v1/datasets?sort=name&order=asc&page=2&per_page=2");
		call(owner, HttpMethod.GET, "/v1/datasets?sort=name&order=asc&per_page=2&page=3", null).expectStatus().isOk()
			.expectBody().jsonPath("$.data[0].name").isEqualTo("gamma scan").jsonPath("$.links.next").doesNotExist();
		call(owner, HttpMethod.GET, "/v1/datasets?tag=scan&sort=name&order=desc", null).expectStatus().isOk()
			.expectBody().jsonPath("$.data.length()").isEqualTo(2).jsonPath("$.data[0].name").isEqualTo("gamma scan");
		call(owner, HttpMethod.GET, "/v1/datasets?q=RUN", null).expectStatus().isOk()
			.expectBody().jsonPath("$.pagination.total").isEqualTo(3);
		call(owner, HttpMethod.GET, "/v1/datasets?q=100%25", null).expectStatus().isOk()
			.expectBody().jsonPath("$.pagination.total").isEqualTo(0);
		call(owner, HttpMethod.GET, "/v1/datasets?status=uploading&owner_id=" + owner.id(), null).expectStatus().isOk()
			.expectBody().jsonPath("$.pagination.total").isEqualTo(5);
		for (String bad : List.of("sort=colour", "order=sideways", "status=lost", "per_page=101", "page=0",
				"folder_id=not-a-uuid", "created_from=yesterday", "shape=round")) {
			String field = bad.substring(0, bad.indexOf('='));
			call(owner, HttpMethod.GET, "/v1/datasets?" + bad, null).expectStatus().isBadRequest()
				.expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR").jsonPath("$.error.field").isEqualTo(field);
		}
	}

	@Test
	void filtersByDescriptionAndCreationTimeAndSortsByEitherTime() throws Exception {
		User owner = TestTokens.user();
		String first = (String) create(owner, Map.of("name", "first", "description", "Calibration of the detector")).get("id");
		Map<String, Object> later = create(owner, Map.of("name", "second", "description", "plain frames"));
		String second = (String) later.get("id");
		// created_from includes its instant, created_to does not: the second one's creation splits the two.
		String between = (String) later.get("created_at");
		call(owner, HttpMethod.GET, "/v1/datasets?q=calibr", null).expectStatus().isOk().expectBody()
			.jsonPath("$.data[*].id").isEqualTo(List.of(first));
		call(owner, HttpMethod.GET, "/v1/datasets?created_from=" + between, null).expectStatus().isOk().expectBody()
			.jsonPath("$.data[*].id").isEqualTo(List.of(second));
		call(owner, HttpMethod.GET, "/v1/datasets?created_to=" + between, null).expectStatus().isOk().expectBody()
			.jsonPath("$.data[*].id").isEqualTo(List.of(first));
		call(owner, HttpMethod.GET, "/v1/datasets?sort=created_at&order=asc", null).expectBody()
			.jsonPath("$.data[*].id").isEqualTo(List.of(first, second));
		call(owner, HttpMethod.GET, "/v1/datasets?sort=created_at&order=desc", null).expectBody()
			.jsonPath("$.data[*].id").isEqualTo(List.of(second, first));
		// The first one changed last: it comes first by updated_at, newest first.
		call(owner, HttpMethod.PATCH, "/v1/datasets/" + first, Map.of("tags", List.of("calibration"))).expectStatus().isOk();
		call(owner, HttpMethod.GET, "/v1/datasets?sort=updated_at&order=desc", null).expectBody()
			.jsonPath("$.data[*].id").isEqualTo(List.of(first, second));
		call(owner, HttpMethod.GET, "/v1/datasets?sort=updated_at&order=asc", null).expectBody()
			.jsonPath("$.data[*].id").isEqualTo(List.of(second, first));
	}

	@Test
	@SuppressWarnings("unchecked")
	void aCursorWalksTheWholeListByKeyInEachSort() {
		User owner = TestTokens.user();
		for (String name : List.of("delta", "alpha", "echo", "charlie", "bravo")) {
			create(owner, Map.of("name", name));
		}
		for (String sort : List.of("name", "created_at", "updated_at", "size")) {
			for (String order : List.of("asc", "desc")) {
				List<String> expected = ((List<Map<String, Object>>) body(call(owner, HttpMethod.GET,
						"/v1/datasets?per_page=100&sort=" + sort + "&order=" + order, null).expectStatus().isOk()).get("data"))
					.stream().map((d) -> (String) d.get("id")).toList();
				List<String> walked = new java.util.ArrayList<>();
				String next = "/v1/datasets?per_page=2&sort=" + sort + "&order=" + order;
				while (next != null) {
					Map<String, Object> page = body(call(owner, HttpMethod.GET, next, null).expectStatus().isOk());
					((List<Map<String, Object>>) page.get("data")).forEach((d) -> walked.add((String) d.get("id")));
					String cursor = (String) ((Map<String, Object>) page.get("pagination")).get("next_cursor");
					next = (cursor != null) ? "/v1/datasets?per_page=2&sort=" + sort + "&order=" + order + "&cursor=" + cursor
							: null;
					assertThat(walked.size()).as("pages end").isLessThanOrEqualTo(10);
				}
				assertThat(walked).as(sort + " " + order).isEqualTo(expected);
			}
		}
		String cursor = (String) ((Map<String, Object>) body(call(owner, HttpMethod.GET, "/v1/datasets?per_page=2&sort=name",
				null)).get("pagination")).get("next_cursor");
		for (String bad : List.of("sort=name&order=asc&cursor=" + cursor, "sort=name&cursor=" + cursor + "&page=2",
				"cursor=not-a-cursor")) {
			call(owner, HttpMethod.GET, "/v1/datasets?" + bad, null).expectStatus().isBadRequest()
				.expectBody().jsonPath("$.error.field").value((field) -> assertThat(field).isIn("cursor", "page"));
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void ownAndSharedDatasetsPageTogetherInOneOrder() {
		User me = TestTokens.user();
		User colleague = TestTokens.user();
		for (String name : List.of("b mine", "d mine", "f mine")) {
			create(me, Map.of("name", name));
		}
		// Shared with two of my teams: listed once.
		List<String> teams = List.of("one", "two").stream().map((name) -> (String) body(call(colleague, HttpMethod.POST,
				"/v1/teams", Map.of("name", name, "members", List.of(Map.of("user_id", me.id().toString())))).expectStatus()
			.isCreated()).get("id")).toList();
		for (String name : List.of("a theirs", "c theirs", "e theirs")) {
			String id = (String) create(colleague, Map.of("name", name)).get("id");
			for (String team : teams) {
				call(colleague, HttpMethod.PUT, "/v1/datasets/" + id + "/shares/" + team, Map.of("level", "read"))
					.expectStatus().isOk();
			}
		}
		create(colleague, Map.of("name", "g not shared"));
		List<String> all = List.of("a theirs", "b mine", "c theirs", "d mine", "e theirs", "f mine");
		for (String order : List.of("asc", "desc")) {
			List<String> expected = new java.util.ArrayList<>(all);
			if (order.equals("desc")) {
				java.util.Collections.reverse(expected);
			}
			List<String> byPage = new java.util.ArrayList<>();
			for (int page = 1; page <= 3; page++) {
				Map<String, Object> answer = body(call(me, HttpMethod.GET,
						"/v1/datasets?sort=name&order=" + order + "&per_page=2&page=" + page, null).expectStatus().isOk());
				assertThat(((Map<String, Object>) answer.get("pagination")).get("total")).isEqualTo(6);
				((List<Map<String, Object>>) answer.get("data")).forEach((d) -> byPage.add((String) d.get("name")));
			}
			assertThat(byPage).as("pages " + order).isEqualTo(expected);
			List<String> byCursor = new java.util.ArrayList<>();
			String next = "/v1/datasets?sort=name&order=" + order + "&per_page=2";
			while (next != null && byCursor.size() <= 6) {
				Map<String, Object> answer = body(call(me, HttpMethod.GET, next, null).expectStatus().isOk());
				((List<Map<String, Object>>) answer.get("data")).forEach((d) -> byCursor.add((String) d.get("name")));
				String cursor = (String) ((Map<String, Object>) answer.get("pagination")).get("next_cursor");
				next = (cursor != null) ? "/v1/datasets?sort=name&order=" + order + "&per_page=2&cursor=" + cursor : null;
			}
			assertThat(byCursor).as("cursor " + order).isEqualTo(expected);
		}
		// Each shows who may do what, and the shares of the colleague's datasets.
		List<Map<String, Object>> listed = (List<Map<String, Object>>) body(call(me, HttpMethod.GET,
				"/v1/datasets?sort=name&order=asc&per_page=10", null)).get("data");
		assertThat(listed.get(0)).containsEntry("access", "read");
		assertThat((List<Object>) listed.get(0).get("shares")).hasSize(2);
		assertThat(listed.get(1)).containsEntry("access", "owner");
		assertThat((List<Object>) listed.get(1).get("shares")).isEmpty();
		call(me, HttpMethod.GET, "/v1/datasets?team_id=" + teams.get(0), null).expectStatus().isOk()
			.expectBody().jsonPath("$.pagination.total").isEqualTo(3);
	}

	@Test
	void followsTheUploadLifeCycleFromEventsAppliedOnceAndInOrder() throws Exception {
		User owner = TestTokens.user();
		String id = (String) create(owner, Map.of("name", "Detector frames")).get("id");
		String completed = uploadEvent("sciport.upload.completed", id, ",\"dataset_size_bytes\":1048576,\"dataset_file_count\":3");
		awaitStatus(owner, id, "conversion_queued");
		call(owner, HttpMethod.GET, "/v1/datasets/" + id, null)
			.expectBody().jsonPath("$.size_bytes").isEqualTo(1048576).jsonPath("$.file_count").isEqualTo(3);
		uploadEvent("sciport.conversion.started", id, "");
		awaitStatus(owner, id, "converting");
		uploadEvent("sciport.conversion.failed", id, "");
		awaitStatus(owner, id, "conversion_failed");
		// A retry starts again and succeeds.
		uploadEvent("sciport.conversion.started", id, "");
		awaitStatus(owner, id, "converting");
		uploadEvent("sciport.conversion.completed", id, "");
		awaitStatus(owner, id, "done");
		// A replay of an old event, and a stale one, change nothing.
		publish(id, completed);
		uploadEvent("sciport.conversion.started", id, "");
		assertSettledStatus(owner, id, "done");
	}

	@Test
	void saysSoWhenItsUploadFailedUntilAnotherOneCompletes() throws Exception {
		User owner = TestTokens.user();
		String id = (String) create(owner, Map.of("name", "Interrupted scan")).get("id");
		String failed = uploadEvent("sciport.upload.failed", id, ",\"error\":\"client went away\"");
		awaitStatus(owner, id, "upload_failed");
		call(owner, HttpMethod.GET, "/v1/datasets?status=upload_failed", null).expectStatus().isOk()
			.expectBody().jsonPath("$.data[0].id").isEqualTo(id).jsonPath("$.pagination.total").isEqualTo(1);
		uploadEvent("sciport.upload.completed", id, "");
		awaitStatus(owner, id, "conversion_queued");
		uploadEvent("sciport.conversion.started", id, "");
		awaitStatus(owner, id, "converting");
		// A failure reported late (or replayed) does not undo the upload that completed.
		publish(id, failed);
		uploadEvent("sciport.upload.failed", id, "");
		assertSettledStatus(owner, id, "converting");
	}

	@Test
	void aDatasetOfSeveralUploadsIsDoneOnlyWhenEachFileIsConverted() throws Exception {
		User owner = TestTokens.user();
		String id = (String) create(owner, Map.of("name", "Two detectors")).get("id");
		String first = UUID.randomUUID().toString();
		String second = UUID.randomUUID().toString();
		// As upload-service sends them: each upload's events on its own key, so the two uploads'
		// events may be handled in any order between them.
		fileEvent(first, "sciport.upload.completed", id, file(first, "left.h5", 100));
		fileEvent(second, "sciport.upload.completed", id, file(second, "right.h5", 50));
		awaitStatus(owner, id, "conversion_queued");
		fileEvent(first, "sciport.conversion.started", id, file(first, "left.h5", 100));
		awaitStatus(owner, id, "converting");
		// The first file is converted; the second still waits: the dataset is not done.
		fileEvent(first, "sciport.conversion.completed", id, file(first, "left.h5", 100));
		awaitStatus(owner, id, "conversion_queued");
		fileEvent(second, "sciport.conversion.started", id, file(second, "right.h5", 50));
		awaitStatus(owner, id, "converting");
		fileEvent(second, "sciport.conversion.failed", id, file(second, "right.h5", 50));
		awaitStatus(owner, id, "conversion_failed");
		// A stale event about the converted file does not hide the failed one.
		fileEvent(first, "sciport.conversion.started", id, file(first, "left.h5", 100));
		assertSettledStatus(owner, first, id, "conversion_failed");
		call(owner, HttpMethod.GET, "/v1/datasets/" + id + "/status", null).expectStatus().isOk().expectBody()
			.jsonPath("$.dataset_id").isEqualTo(id)
			.jsonPath("$.status").isEqualTo("conversion_failed")
			.jsonPath("$.files.total").isEqualTo(2)
			.jsonPath("$.files.converted").isEqualTo(1)
			.jsonPath("$.files.failed").isEqualTo(1)
			.jsonPath("$.files.queued").isEqualTo(0);
		// The failed one is retried and converted: now the dataset is done.
		fileEvent(second, "sciport.conversion.queued", id, file(second, "right.h5", 50));
		awaitStatus(owner, id, "conversion_queued");
		fileEvent(second, "sciport.conversion.started", id, file(second, "right.h5", 50));
		fileEvent(second, "sciport.conversion.completed", id, file(second, "right.h5", 50));
		awaitStatus(owner, id, "done");
		// A third upload's conversion is cancelled: it will not be converted, and the dataset
		// is done with the two that were.
		String third = UUID.randomUUID().toString();
		fileEvent(third, "sciport.upload.completed", id, file(third, "extra.h5", 10));
		awaitStatus(owner, id, "conversion_queued");
		fileEvent(third, "sciport.conversion.failed", id, file(third, "extra.h5", 10) + ",\"error\":\"cancelled\"");
		awaitStatus(owner, id, "done");
		call(owner, HttpMethod.GET, "/v1/datasets/" + id + "/status", null).expectBody()
			.jsonPath("$.files.total").isEqualTo(3)
			.jsonPath("$.files.converted").isEqualTo(2)
			.jsonPath("$.files.failed").isEqualTo(0)
			.jsonPath("$.files.queued").isEqualTo(0);
		call(owner, HttpMethod.GET, "/v1/datasets/" + id, null).expectBody()
			.jsonPath("$.size_bytes").isEqualTo(160).jsonPath("$.file_count").isEqualTo(3);
		call(owner, HttpMethod.GET, "/v1/datasets/" + id + "/files", null).expectBody()
			.jsonPath("$.data[0].conversion").isEqualTo("converted")
			.jsonPath("$.data[1].conversion").isEqualTo("converted")
			.jsonPath("$.data[2].conversion").doesNotExist();
		call(TestTokens.user(), HttpMethod.GET, "/v1/datasets/" + id + "/status", null).expectStatus().isNotFound();
		call(owner, HttpMethod.GET, "/v1/datasets/not-a-uuid/status", null).expectStatus().isBadRequest();
	}

	private void fileEvent(String key, String type, String dataset, String extra) throws Exception {
		publish(key, uploadEventJson(type, dataset, extra));
	}

	private static String file(String upload, String filename, long size) {
		return ",\"upload_id\":\"" + upload + "\",\"filename\":\"" + filename + "\",\"size_bytes\":" + size;
	}

	/**
	 * Publishes an event about another dataset on the dataset's key (so the same partition,
	 * after every event published before it) and waits until it has been applied: so have
	 * those before it, and the dataset's status is what they left.
	 */
	private void assertSettledStatus(User owner, String id, String status) throws Exception {
		assertSettledStatus(owner, id, id, status);
	}

	/** The same, after the events published on {@code key}. */
	private void assertSettledStatus(User owner, String key, String id, String status) throws Exception {
		String marker = (String) create(owner, Map.of("name", "marker")).get("id");
		publish(key, uploadEventJson("sciport.upload.completed", marker, ""));
		awaitStatus(owner, marker, "conversion_queued");
		call(owner, HttpMethod.GET, "/v1/datasets/" + id, null).expectBody().jsonPath("$.status").isEqualTo(status);
	}

	private String uploadEvent(String type, String dataset, String extra) throws Exception {
		String event = uploadEventJson(type, dataset, extra);
		publish(dataset, event);
		return event;
	}

	private static String uploadEventJson(String type, String dataset, String extra) {
		return TopicWriter.event("/sciport/upload-service", type, dataset,
				"{\"dataset_id\":\"" + dataset + "\"" + extra + "}");
	}

	private static void publish(String key, String event) throws Exception {
		TopicWriter.publish(Topics.UPLOAD, key, event);
	}

	private void awaitStatus(User user, String id, String status) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		String seen = null;
		while (System.nanoTime() < deadline) {
			seen = (String) body(call(user, HttpMethod.GET, "/v1/datasets/" + id, null).expectStatus().isOk()).get("status");
			if (status.equals(seen)) {
				return;
			}
			Thread.sleep(100);
		}
		assertThat(seen).as("status of " + id).isEqualTo(status);
	}

	@Test
	void refusesBadInputWithTheFieldNamed() {
		User owner = TestTokens.user();
		this.client.post().uri("/v1/datasets").headers((h) -> h.setBearerAuth(owner.token()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\": ").exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR");
		call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "x", "colour", "blue")).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("colour");
		call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "n".repeat(201))).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("name");
		call(owner, HttpMethod.POST, "/v1/datasets", Map.of("description", "no name")).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("name");
		call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "x", "metadata", List.of(1))).expectStatus()
			.isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("metadata");
		call(owner, HttpMethod.POST, "/v1/datasets", Map.of("name", "x", "folder_id", UUID.randomUUID().toString()))
			.expectStatus().isBadRequest().expectBody().jsonPath("$.error.field").isEqualTo("folder_id");
		call(owner, HttpMethod.GET, "/v1/datasets/not-a-uuid", null).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.error.field").isEqualTo("id");
		this.client.get().uri("/v1/datasets").exchange().expectStatus().isUnauthorized();
	}

	private Map<String, Object> create(User user, Map<String, Object> dataset) {
		return body(call(user, HttpMethod.POST, "/v1/datasets", dataset).expectStatus().isCreated());
	}

	private WebTestClient.ResponseSpec call(User user, HttpMethod method, String path, Object body) {
		WebTestClient.RequestBodySpec request = this.client.method(method).uri(path).headers((h) -> h.setBearerAuth(user.token()));
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
				: request.exchange();
	}

	private static Map<String, Object> body(WebTestClient.ResponseSpec response) {
		return response.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
		}).returnResult().getResponseBody();
	}

}
