package org.sciport.commons.event;

import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CloudEventCodecTests {

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final CloudEventCodec codec = new CloudEventCodec(this.mapper);

	@Test
	void writesStructuredModeJsonWithTheRequiredAttributes() {
		CloudEvent event = CloudEvent.create("/sciport/dataset-service", "sciport.dataset.created", "d-1",
				this.codec.toData(Map.of("title", "Spectra")));
		JsonNode json = this.mapper.readTree(this.codec.write(event));
		assertThat(json.path("specversion").asString()).isEqualTo("1.0");
		assertThat(json.path("id").asString()).isEqualTo(event.id());
		assertThat(json.path("source").asString()).isEqualTo("/sciport/dataset-service");
		assertThat(json.path("type").asString()).isEqualTo("sciport.dataset.created");
		assertThat(json.path("subject").asString()).isEqualTo("d-1");
		assertThat(json.path("datacontenttype").asString()).isEqualTo("application/json");
		assertThat(json.path("time").asString()).endsWith("Z");
		assertThat(json.path("data").path("title").asString()).isEqualTo("Spectra");
	}

	@Test
	void readsBackWhatItWrote() {
		CloudEvent event = CloudEvent.create("/sciport/test", "sciport.test.thing", "k", null);
		assertThat(this.codec.read(this.codec.write(event))).isEqualTo(event);
	}

	@Test
	void refusesAnotherSpecVersion() {
		String json = this.codec.write(CloudEvent.create("/s", "t", "k", null)).replace("\"1.0\"", "\"0.3\"");
		assertThatIllegalArgumentException().isThrownBy(() -> this.codec.read(json));
	}

	@Test
	void everyEventGetsItsOwnId() {
		assertThat(CloudEvent.create("/s", "t", "k", null).id()).isNotEqualTo(CloudEvent.create("/s", "t", "k", null).id());
	}

}
