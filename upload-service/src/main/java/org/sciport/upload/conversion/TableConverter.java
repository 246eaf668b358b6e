package org.sciport.upload.conversion;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * CSV and TSV: the header's column names, the row count (data rows, after the header) and a
 * type per column inferred from every value: {@code integer}, {@code number}, {@code boolean}
 * or {@code string}, with empty cells ignored. Quoted fields may hold separators and quotes.
 */
@Component
class TableConverter implements Converter {

	@Override
	public boolean reads(String format) {
		return "csv".equals(format) || "tsv".equals(format);
	}

	@Override
	public Result convert(Path file) throws IOException {
		char separator = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? ','
				: guessSeparator(file);
		try (BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
				StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)), 256 * 1024)) {
			String headerLine = readLine(reader);
			if (headerLine == null) {
				throw new IOException("The table is empty");
			}
			List<String> header = split(stripBom(headerLine), separator);
			String[] types = new String[header.size()];
			long rows = 0;
			String line;
			while ((line = readLine(reader)) != null) {
				if (line.isEmpty()) {
					continue;
				}
				rows++;
				List<String> cells = split(line, separator);
				for (int i = 0; i < Math.min(cells.size(), types.length); i++) {
					types[i] = widen(types[i], cells.get(i).trim());
				}
			}
			List<Map<String, Object>> columns = new ArrayList<>();
			for (int i = 0; i < header.size(); i++) {
				Map<String, Object> column = new LinkedHashMap<>();
				column.put("name", header.get(i).trim());
				column.put("type", (types[i] != null) ? types[i] : "empty");
				columns.add(column);
			}
			Map<String, Object> metadata = new LinkedHashMap<>();
			metadata.put("format", (separator == ',') ? "csv" : "tsv");
			metadata.put("rows", rows);
			metadata.put("column_count", header.size());
			metadata.put("columns", columns);
			return new Result(metadata, rows, null);
		}
		catch (java.nio.charset.CharacterCodingException ex) {
			throw new IOException("The table is not UTF-8 text");
		}
	}

	/** Longest line read: a file without line breaks is not read into memory whole. */
	static final int MAX_LINE = 1024 * 1024;

	/** A line (without its terminator), or null at the end; a line over {@link #MAX_LINE} is refused. */
	static @Nullable String readLine(BufferedReader reader) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = reader.read()) != -1) {
			if (c == '\n') {
				break;
			}
			if (line.length() >= MAX_LINE) {
				throw new IOException("A line is longer than " + MAX_LINE + " characters: not a table");
			}
			line.append((char) c);
		}
		if (c == -1 && line.length() == 0) {
			return null;
		}
		int end = line.length();
		if (end > 0 && line.charAt(end - 1) == '\r') {
			line.setLength(end - 1);
		}
		return line.toString();
	}

	private static char guessSeparator(Path file) throws IOException {
		try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			String first = readLine(reader);
			return (first != null && first.indexOf('\t') >= 0) ? '\t' : ',';
		}
	}

	private static String stripBom(String line) {
		return (!line.isEmpty() && line.charAt(0) == '\uFEFF') ? line.substring(1) : line;
	}

	static List<String> split(String line, char separator) {
		List<String> cells = new ArrayList<>();
		StringBuilder cell = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < line.length(); i++) {
			char c = line.charAt(i);
			if (quoted) {
				if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
					cell.append('"');
					i++;
				}
				else if (c == '"') {
					quoted = false;
				}
				else {
					cell.append(c);
				}
			}
			else if (c == '"') {
				quoted = true;
			}
			else if (c == separator) {
				cells.add(cell.toString());
				cell.setLength(0);
			}
			else {
				cell.append(c);
			}
		}
		cells.add(cell.toString());
		return cells;
	}

	/** The narrowest type that holds both what was seen so far and {@code value}. */
	static String widen(String current, String value) {
		if (value.isEmpty()) {
			return current;
		}
		String type = typeOf(value);
		if (current == null || current.equals(type)) {
			return type;
		}
		if ((current.equals("integer") && type.equals("number")) || (current.equals("number") && type.equals("integer"))) {
			return "number";
		}
		return "string";
	}

	private static String typeOf(String value) {
		if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
			return "boolean";
		}
		try {
			Long.parseLong(value);
			return "integer";
		}
		catch (NumberFormatException ex) {
			// not an integer
		}
		try {
			Double.parseDouble(value);
			return "number";
		}
		catch (NumberFormatException ex) {
			return "string";
		}
	}

}
