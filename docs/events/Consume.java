import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Prints the events of one Sciport topic with nothing but the Kafka client:
 *
 * <pre>
 * java -cp kafka-clients.jar:slf4j-api.jar Consume.java 127.0.0.1:9092 sciport.dataset my-group [max]
 * </pre>
 *
 * Each record's value is a CloudEvent in JSON; its key is the event's subject. Sciport delivers
 * at least once, so the same event (the same {@code id}) can arrive twice: this consumer
 * remembers the last ids it handled and skips one it has seen. A consumer whose work must
 * happen once keeps the ids it applied with the work itself (in one database transaction), as
 * Sciport's own services do.
 */
public class Consume {

	// The envelope's fields come first in every Sciport event; a real consumer parses the JSON.
	private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

	private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]+)\"");

	public static void main(String[] args) {
		if (args.length < 3) {
			System.err.println("usage: Consume <bootstrap servers> <topic> <group id> [max events]");
			System.exit(2);
		}
		long max = (args.length > 3) ? Long.parseLong(args[3]) : Long.MAX_VALUE;
		Properties settings = new Properties();
		settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
		settings.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
		settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		// Offsets are committed after the records are handled, so a crash repeats, never loses.
		settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
		Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
				return size() > 100_000;
			}
		};
		long printed = 0;
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
				new StringDeserializer())) {
			consumer.subscribe(List.of(args[1]));
			while (printed < max) {
				for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
					String id = first(ID, record.value());
					if (id == null || seen.put(id, Boolean.TRUE) != null) {
						continue;
					}
					System.out.println(first(TYPE, record.value()) + " " + record.key() + " " + id);
					printed++;
				}
				consumer.commitSync();
			}
		}
	}

	private static String first(Pattern pattern, String text) {
		Matcher matcher = pattern.matcher((text != null) ? text : "");
		return matcher.find() ? matcher.group(1) : null;
	}

}
