package org.sciport.upload.conversion;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The converters on real files of each format, written here by real writers (jhdf for HDF5,
 * ImageIO for images).
 */
class ConverterTests {

	@TempDir
	Path directory;

	@Test
	@SuppressWarnings("unchecked")
	void nexusFilesShowTheirTreeEntryAndDefaultPlot() throws IOException {
		Path file = this.directory.resolve("scan.nxs");
		try (WritableHdfFile hdf = HdfFile.write(file)) {
			hdf.putAttribute("default", "entry");
			WritableGroup entry = hdf.putGroup("entry");
			entry.putAttribute("NX_class", "NXentry");
			entry.putAttribute("default", "data");
			WritableGroup data = entry.putGroup("data");
			data.putAttribute("NX_class", "NXdata");
			data.putAttribute("signal", "counts");
			data.putAttribute("axes", "two_theta");
			data.putDataset("counts", new int[][] { { 1, 2, 3 }, { 4, 5, 6 } });
			data.putDataset("two_theta", new double[] { 10.0, 10.5, 11.0 });
			// (jhdf's writer cannot yet add a sibling group next to a group holding datasets.)
		}
		Converter.Result result = new Hdf5Converter().convert(file);
		Map<String, Object> metadata = result.metadata();
		assertThat(metadata).containsEntry("format", "nexus").containsEntry("truncated", false);
		Map<String, Object> nexus = (Map<String, Object>) metadata.get("nexus");
		assertThat(nexus).containsEntry("entries", List.of("/entry")).containsEntry("default_entry", "/entry");
		Map<String, Object> plot = (Map<String, Object>) nexus.get("default_plot");
		assertThat(plot).containsEntry("path", "/entry/data").containsEntry("signal", "/entry/data/counts")
			.containsEntry("axes", "two_theta");
		assertThat((int[]) plot.get("shape")).containsExactly(2, 3);
		String tree = JsonMapper.builder().build().writeValueAsString(metadata.get("tree"));
		assertThat(tree).contains("\"path\":\"/entry/data/two_theta\"").contains("\"shape\":[3]")
			.contains("\"dtype\":\"double\"").contains("\"NX_class\":\"NXdata\"");
	}

	@Test
	void plainHdf5HasNoNexusViewAndGarbageIsRefused() throws IOException {
		Path file = this.directory.resolve("plain.h5");
		try (WritableHdfFile hdf = HdfFile.write(file)) {
			hdf.putGroup("raw").putDataset("frame", new float[] { 1f, 2f });
		}
		assertThat(new Hdf5Converter().convert(file).metadata()).containsEntry("format", "hdf5").doesNotContainKey("nexus");
		Path garbage = Files.write(this.directory.resolve("bad.h5"), "not hdf5 at all".getBytes());
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> new Hdf5Converter().convert(garbage));
	}

	@Test
	@SuppressWarnings("unchecked")
	void tablesCountRowsAndInferColumnTypes() throws IOException {
		Path csv = Files.writeString(this.directory.resolve("t.csv"),
				"id,value,flag,note\n1,2.5,true,\"a, quoted\"\n2,3,false,plain\n3,,true,\"say \"\"hi\"\"\"\n");
		Converter.Result result = new TableConverter().convert(csv);
		assertThat(result.rows()).isEqualTo(3);
		assertThat((List<Map<String, Object>>) result.metadata().get("columns")).extracting((c) -> c.get("type"))
			.containsExactly("integer", "number", "boolean", "string");
		Path tsv = Files.writeString(this.directory.resolve("t.tsv"), "a\tb\nx\t1\n");
		assertThat(new TableConverter().convert(tsv).metadata()).containsEntry("format", "tsv").containsEntry("column_count", 2);
	}

	@Test
	void imagesGiveDimensionsAndAThumbnail() throws IOException {
		BufferedImage image = new BufferedImage(1024, 512, BufferedImage.TYPE_INT_RGB);
		for (String format : List.of("png", "jpeg", "tiff")) {
			Path file = this.directory.resolve("i." + format);
			assertThat(ImageIO.write(image, format, file.toFile())).as(format).isTrue();
			Converter.Result result = new ImageConverter().convert(file);
			assertThat(result.metadata()).containsEntry("width", 1024).containsEntry("height", 512);
			BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(result.thumbnail()));
			assertThat(thumbnail.getWidth()).isEqualTo(256);
			assertThat(thumbnail.getHeight()).isEqualTo(128);
		}
	}

	@Test
	void craftedFilesCannotMakeAConverterExhaustMemory() throws IOException {
		// An image whose header claims 100,000 x 100,000 pixels: described, never decoded.
		Path huge = this.directory.resolve("huge.png");
		Files.write(huge, pngHeaderOnly(100_000, 100_000));
		Converter.Result image = new ImageConverter().convert(huge);
		assertThat(image.metadata()).containsEntry("width", 100_000L).containsEntry("height", 100_000L);
		assertThat(image.thumbnail()).isNull();
		// A "table" that is one endless line.
		Path line = Files.writeString(this.directory.resolve("line.csv"), "a,b\n" + "x".repeat(TableConverter.MAX_LINE + 10));
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> new TableConverter().convert(line))
			.withMessageContaining("longer than");
		// An HDF5 attribute too large to read into the metadata.
		Path big = this.directory.resolve("big.h5");
		try (WritableHdfFile hdf = HdfFile.write(big)) {
			hdf.putGroup("g").putAttribute("calibration", new double[4_000]);
		}
		String tree = JsonMapper.builder().build().writeValueAsString(new Hdf5Converter().convert(big).metadata());
		assertThat(tree).contains("bytes, not read");
	}

	private static byte[] pngHeaderOnly(int width, int height) {
		java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
		png.writeBytes(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' });
		java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
			.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
		chunk(png, "IHDR", ihdr.array());
		chunk(png, "IEND", new byte[0]);
		return png.toByteArray();
	}

	private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) {
		java.util.zip.CRC32 crc = new java.util.zip.CRC32();
		crc.update(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		crc.update(data);
		out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
		out.writeBytes(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		out.writeBytes(data);
		out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
	}

	@Test
	void jsonIsSummarisedAndBrokenJsonRefused() throws IOException {
		Path file = Files.writeString(this.directory.resolve("j.json"), "{\"a\": [1, 2, {\"b\": null}], \"c\": \"d\"}");
		Converter.Result result = new JsonConverter(JsonMapper.builder().build()).convert(file);
		assertThat(result.metadata()).containsEntry("root", "object").containsEntry("entries", 2L)
			.containsEntry("keys", List.of("a", "c")).containsEntry("depth", 3);
		Path broken = Files.writeString(this.directory.resolve("b.json"), "{\"a\": ");
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> new JsonConverter(JsonMapper.builder().build()).convert(broken));
	}

}
