package org.sciport.dataset.events;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.sciport.testsupport.TestInfrastructure;
import org.sciport.testsupport.TopicWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer example of {@code docs/events/consume.md} ({@code docs/events/Consume.java}),
 * compiled as it is and run against the real broker: it prints each event once, though one is
 * delivered twice.
 */
class ConsumeExampleTests {

	@Test
	void theExamplePrintsEachEventOnceThoughItIsDeliveredTwice() throws Exception {
		Path source = Path.of("..", "docs", "events", "Consume.java");
		Path classes = Files.createTempDirectory("consume-example");
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		String classPath = Path.of(KafkaConsumer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
			.toString();
		assertThat(compiler.run(null, null, null, "-d", classes.toString(), "-cp", classPath, source.toString()))
			.as("Consume.java compiles").isZero();

		String topic = "sciport.example-" + UUID.randomUUID();
		String first = TopicWriter.event("/sciport/dataset-service", "sciport.dataset.created", "dataset-1",
				"{\"dataset_id\":\"dataset-1\"}");
		String second = TopicWriter.event("/sciport/dataset-service", "sciport.dataset.updated", "dataset-1",
				"{\"dataset_id\":\"dataset-1\"}");
		TopicWriter.publish(topic, "dataset-1", first);
		TopicWriter.publish(topic, "dataset-1", first);
		TopicWriter.publish(topic, "dataset-1", second);

		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		PrintStream out = System.out;
		try (URLClassLoader loader = new URLClassLoader(new URL[] { classes.toUri().toURL() }, getClass().getClassLoader())) {
			System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
			loader.loadClass("Consume").getMethod("main", String[].class).invoke(null,
					(Object) new String[] { TestInfrastructure.kafkaBootstrap(), topic, "example-" + UUID.randomUUID(), "2" });
		}
		finally {
			System.setOut(out);
		}
		// The client's own log lines may share standard output: the example's lines are the events'.
		List<String> lines = printed.toString(StandardCharsets.UTF_8).lines()
			.filter((line) -> line.startsWith("sciport."))
			.toList();
		assertThat(lines).containsExactly("sciport.dataset.created dataset-1 " + id(first),
				"sciport.dataset.updated dataset-1 " + id(second));
	}

	private static String id(String event) {
		return event.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
	}

}
