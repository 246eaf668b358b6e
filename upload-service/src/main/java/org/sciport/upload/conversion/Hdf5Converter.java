package org.sciport.upload.conversion;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * HDF5 and NeXus, read with a pure-Java reader: the tree of groups and datasets with each
 * dataset's shape and element type and each node's small attributes, and for NeXus files the
 * entries ({@code NX_class=NXentry}) and the default plot the file names through its
 * {@code default} and {@code signal} attributes. Large trees are cut off at a fixed number
 * of nodes, and long attribute values are shortened, so the metadata stays small.
 */
@Component
class Hdf5Converter implements Converter {

	static final int MAX_NODES = 2_000;

	private static final int MAX_ATTRIBUTE_ELEMENTS = 16;

	private static final int MAX_TEXT = 200;

	private static final long MAX_ATTRIBUTE_BYTES = 16 * 1024;

	@Override
	public boolean reads(String format) {
		return "hdf5".equals(format) || "nexus".equals(format);
	}

	@Override
	public Result convert(Path file) throws IOException {
		try (HdfFile hdf = new HdfFile(file)) {
			int[] budget = { MAX_NODES };
			Map<String, Object> tree = node(hdf, budget);
			Map<String, Object> metadata = new LinkedHashMap<>();
			metadata.put("format", "hdf5");
			metadata.put("tree", tree);
			metadata.put("truncated", budget[0] <= 0);
			Map<String, Object> nexus = nexus(hdf);
			if (nexus != null) {
				metadata.put("format", "nexus");
				metadata.put("nexus", nexus);
			}
			return new Result(metadata, null, null);
		}
		catch (HdfException | IllegalArgumentException ex) {
			throw new IOException("The file is not readable HDF5: " + ex.getMessage());
		}
	}

	private static Map<String, Object> node(Node node, int[] budget) {
		budget[0]--;
		Map<String, Object> described = new LinkedHashMap<>();
		described.put("name", node.isGroup() && node.getParent() == null ? "/" : node.getName());
		described.put("path", path(node));
		Map<String, Object> attributes = attributes(node);
		if (node instanceof Dataset dataset) {
			described.put("type", "dataset");
			described.put("shape", dataset.getDimensions());
			described.put("dtype", (dataset.getJavaType() != null) ? dataset.getJavaType().getSimpleName() : "unknown");
			described.put("size", dataset.getSize());
		}
		else if (node instanceof Group group) {
			described.put("type", "group");
			List<Map<String, Object>> children = new ArrayList<>();
			for (Node child : group.getChildren().values()) {
				if (budget[0] <= 0) {
					break;
				}
				children.add(node(child, budget));
			}
			described.put("children", children);
		}
		if (!attributes.isEmpty()) {
			described.put("attributes", attributes);
		}
		return described;
	}

	private static Map<String, Object> attributes(Node node) {
		Map<String, Object> values = new LinkedHashMap<>();
		try {
			for (Map.Entry<String, Attribute> entry : node.getAttributes().entrySet()) {
				values.put(entry.getKey(), value(entry.getValue()));
			}
		}
		catch (HdfException ex) {
			values.put("_unreadable", ex.getMessage());
		}
		return values;
	}

	private static @Nullable Object value(Attribute attribute) {
		// An attribute is read whole: a large one (a crafted file's, say) is described, not read.
		if (attribute.getSizeInBytes() > MAX_ATTRIBUTE_BYTES) {
			return "(" + attribute.getSizeInBytes() + " bytes, not read)";
		}
		Object data = attribute.getData();
		if (data == null) {
			return null;
		}
		if (data.getClass().isArray()) {
			int length = Array.getLength(data);
			if (length == 1 && !Array.get(data, 0).getClass().isArray()) {
				return scalar(Array.get(data, 0));
			}
			List<Object> items = new ArrayList<>();
			for (int i = 0; i < Math.min(length, MAX_ATTRIBUTE_ELEMENTS); i++) {
				Object item = Array.get(data, i);
				items.add((item != null && item.getClass().isArray()) ? "[…]" : scalar(item));
			}
			return items;
		}
		return scalar(data);
	}

	private static @Nullable Object scalar(@Nullable Object value) {
		if (value instanceof String text) {
			return (text.length() > MAX_TEXT) ? text.substring(0, MAX_TEXT) + "…" : text;
		}
		if (value instanceof Number || value instanceof Boolean || value == null) {
			return value;
		}
		return value.toString();
	}

	/** The NeXus view, or {@code null} for a file with no NXentry. */
	private static @Nullable Map<String, Object> nexus(HdfFile hdf) {
		List<String> entries = new ArrayList<>();
		for (Node child : hdf.getChildren().values()) {
			if (child.isGroup() && "NXentry".equals(text(child, "NX_class"))) {
				entries.add(path(child));
			}
		}
		if (entries.isEmpty()) {
			return null;
		}
		Map<String, Object> nexus = new LinkedHashMap<>();
		nexus.put("entries", entries);
		String entryName = text(hdf, "default");
		Node entry = (entryName != null) ? hdf.getChild(entryName) : hdf.getByPath(entries.get(0));
		if (entry instanceof Group entryGroup) {
			nexus.put("default_entry", path(entryGroup));
			String dataName = text(entryGroup, "default");
			Node data = (dataName != null) ? entryGroup.getChild(dataName) : firstOfClass(entryGroup, "NXdata");
			if (data instanceof Group plot) {
				Map<String, Object> defaultPlot = new LinkedHashMap<>();
				defaultPlot.put("path", path(plot));
				String signal = text(plot, "signal");
				if (signal != null && plot.getChild(signal) instanceof Dataset signalData) {
					defaultPlot.put("signal", path(signalData));
					defaultPlot.put("shape", signalData.getDimensions());
				}
				Object axes = (plot.getAttribute("axes") != null) ? value(plot.getAttribute("axes")) : null;
				if (axes != null) {
					defaultPlot.put("axes", axes);
				}
				nexus.put("default_plot", defaultPlot);
			}
		}
		return nexus;
	}

	/** The node's path, without the trailing slash the reader gives groups. */
	private static String path(Node node) {
		String path = node.getPath();
		return (path.length() > 1 && path.endsWith("/")) ? path.substring(0, path.length() - 1) : path;
	}

	private static @Nullable Node firstOfClass(Group group, String nxClass) {
		for (Node child : group.getChildren().values()) {
			if (child.isGroup() && nxClass.equals(text(child, "NX_class"))) {
				return child;
			}
		}
		return null;
	}

	private static @Nullable String text(Node node, String attribute) {
		Attribute value = node.getAttribute(attribute);
		if (value == null) {
			return null;
		}
		Object data = value(value);
		return (data instanceof String text) ? text : null;
	}

}
