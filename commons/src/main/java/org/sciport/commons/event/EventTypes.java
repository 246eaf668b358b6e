package org.sciport.commons.event;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.security.AuthEvents;

/**
 * Every event type Sciport publishes, read from the typed records (each record with a
 * {@code TYPE} constant), with the topic its producer writes it on: the one list the event
 * catalogue's test and the webhook subscriptions both go by.
 */
public final class EventTypes {

	/** The holders of the event records, by the topic their producer writes on. */
	private static final Map<Class<?>, String> HOLDERS = new LinkedHashMap<>();

	/** Records that are a consumer's view of another holder's event, not events of their own. */
	private static final Set<Class<?>> VIEWS = Set.of(FileEvents.RunCompleted.class);

	static {
		HOLDERS.put(AuthEvents.class, Topics.AUTH);
		HOLDERS.put(UploadEvents.class, Topics.UPLOAD);
		HOLDERS.put(CatalogueEvents.class, Topics.DATASET);
		HOLDERS.put(GatewayEvents.class, Topics.GATEWAY);
		HOLDERS.put(HarvestEvents.class, Topics.HARVEST);
		HOLDERS.put(FileEvents.class, Topics.HARVEST);
		HOLDERS.put(WorkflowEvents.class, Topics.WORKFLOW);
	}

	private static final List<Entry> ENTRIES = read();

	private EventTypes() {
	}

	/**
	 * An event type.
	 *
	 * @param type its CloudEvents type
	 * @param topic the topic it is written on
	 * @param record its data's record
	 */
	public record Entry(String type, String topic, Class<?> record) {
	}

	/** Every event type, by holder and then by type; a type twice is an error. */
	public static List<Entry> all() {
		return ENTRIES;
	}

	/** The records that are consumers' views of an event, with the type each reads. */
	public static Map<Class<?>, String> views() {
		Map<Class<?>, String> views = new LinkedHashMap<>();
		VIEWS.forEach((view) -> views.put(view, type(view)));
		return views;
	}

	private static List<Entry> read() {
		Map<String, Entry> entries = new LinkedHashMap<>();
		HOLDERS.forEach((holder, topic) -> {
			List<Class<?>> records = new ArrayList<>(List.of(holder.getDeclaredClasses()));
			records.removeIf((nested) -> type(nested) == null || VIEWS.contains(nested));
			// By type, so that every JVM lists them in the same order.
			records.sort(Comparator.comparing(EventTypes::type));
			for (Class<?> nested : records) {
				String type = type(nested);
				Entry earlier = entries.putIfAbsent(type, new Entry(type, topic, nested));
				if (earlier != null) {
					throw new IllegalStateException(type + " is both " + earlier.record() + " and " + nested);
				}
			}
		});
		return List.copyOf(entries.values());
	}

	/** The {@code TYPE} constant of an event record, if it is one. */
	public static @Nullable String type(Class<?> nested) {
		if (!nested.isRecord()) {
			return null;
		}
		try {
			Field field = nested.getDeclaredField("TYPE");
			return (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) ? (String) field.get(null)
					: null;
		}
		catch (NoSuchFieldException | IllegalAccessException ex) {
			return null;
		}
	}

}
