package org.sciport.upload.receive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The multipart reader on bodies cut at every size, with content full of near-boundaries.
 */
class MultipartStreamTests {

	private static final String BOUNDARY = "----sciport-7MA4YWxkTrZu0gW";

	@Test
	void readsFieldsAndAFileWhereverTheNetworkCutsTheBody() {
		byte[] content = tricky();
		byte[] body = body(content, "scan \"1\".nxs");
		for (int piece : new int[] { 1, 2, 3, 5, 7, 31, 64, 1000, 4096, body.length }) {
			Parsed parsed = parse(body, piece);
			assertThat(parsed.fields).as("cut every %d bytes", piece)
				.containsExactly("dataset_name=My Dataset", "note=line one\r\nline two");
			assertThat(parsed.file).as("cut every %d bytes", piece).isEqualTo(content);
			assertThat(parsed.filename).isEqualTo("scan \"1\".nxs");
			assertThat(parsed.contentType).isEqualTo("application/x-hdf5");
		}
	}

	@Test
	void handsOnSlicesOfPooledNetworkBuffersAndEveryBufferGoesBackToThePool() {
		byte[] content = tricky();
		byte[] body = body(content, "a.bin");
		for (int piece : new int[] { 1, 7, 4096, body.length }) {
			List<ByteBuf> network = new ArrayList<>();
			List<DataBuffer> pieces = pooledPieces(body, piece, network);
			ByteArrayOutputStream file = new ByteArrayOutputStream();
			List<Boolean> sliced = new ArrayList<>();
			for (MultipartStream.Event event : MultipartStream.parse(Flux.fromIterable(pieces), BOUNDARY, 256 * 1024)
				.collectList()
				.block()) {
				if (event instanceof MultipartStream.FileData data) {
					DataBuffer buffer = data.take();
					sliced.add(buffer instanceof NettyDataBuffer);
					byte[] bytes = new byte[buffer.readableByteCount()];
					buffer.read(bytes);
					file.writeBytes(bytes);
					DataBufferUtils.release(buffer);
				}
			}
			assertThat(file.toByteArray()).as("cut every %d bytes", piece).isEqualTo(content);
			assertThat(sliced).as("cut every %d bytes", piece).contains(true);
			assertThat(network).as("cut every %d bytes", piece).allSatisfy((buffer) -> assertThat(buffer.refCnt()).isZero());
		}
	}

	@Test
	void contentLeftBehindWhenTheReaderStopsIsReleasedOnce() {
		byte[] body = body(tricky(), "a.bin");
		List<ByteBuf> network = new ArrayList<>();
		List<DataBuffer> pieces = pooledPieces(body, 1000, network);
		// The reader takes a few events and cancels: content queued in the parser, buffers not
		// yet read and those the source still holds are all discarded, and so released.
		List<MultipartStream.Event> first = MultipartStream.parse(Flux.fromIterable(pieces), BOUNDARY, 256 * 1024)
			.take(4)
			.collectList()
			.block();
		List<MultipartStream.FileData> content = first.stream()
			.filter(MultipartStream.FileData.class::isInstance)
			.map(MultipartStream.FileData.class::cast)
			.toList();
		assertThat(content).isNotEmpty();
		assertThat(network).anySatisfy((buffer) -> assertThat(buffer.refCnt()).isPositive());
		content.forEach((data) -> {
			data.release();
			data.release();
		});
		assertThat(network).allSatisfy((buffer) -> assertThat(buffer.refCnt()).isZero());
	}

	@Test
	void aBodyWithoutItsClosingBoundaryIsRefused() {
		byte[] body = body(tricky(), "a.bin");
		// The body ends in "line two\r\n--<boundary>--\r\nepilogue": cut into the closing boundary.
		byte[] cut = java.util.Arrays.copyOf(body, body.length - 20);
		assertThatExceptionOfType(ValidationException.class).isThrownBy(() -> parse(cut, 100))
			.withMessageContaining("closing boundary");
	}

	@Test
	void oversizedFieldsAndMissingNamesAreRefused() {
		String big = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" + "x".repeat(2000) + "\r\n--"
				+ BOUNDARY + "--\r\n";
		assertThatExceptionOfType(SciportException.class)
			.isThrownBy(() -> parse(big.getBytes(StandardCharsets.UTF_8), 100, 1000))
			.withMessageContaining("larger than 1000");
		String nameless = "--" + BOUNDARY + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + BOUNDARY + "--\r\n";
		assertThatExceptionOfType(ValidationException.class)
			.isThrownBy(() -> parse(nameless.getBytes(StandardCharsets.UTF_8), 100, 1000));
	}

	@Test
	void readsParametersQuotedOrNot() {
		assertThat(MultipartStream.parameter("form-data; name=\"file\"; filename=\"a\\\"b.txt\"", "filename"))
			.isEqualTo("a\"b.txt");
		assertThat(MultipartStream.parameter("form-data; name=file; filename=x.csv", "name")).isEqualTo("file");
		assertThat(MultipartStream.parameter("form-data; name=\"file\"", "filename")).isNull();
	}

	/** Random bytes with many near-boundaries: CRs, CRLF--, and the boundary one byte short. */
	private static byte[] tricky() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		Random random = new Random(42);
		for (int i = 0; i < 200; i++) {
			byte[] noise = new byte[random.nextInt(300)];
			random.nextBytes(noise);
			out.writeBytes(noise);
			String near = switch (i % 5) {
				case 0 -> "\r";
				case 1 -> "\r\n";
				case 2 -> "\r\n--";
				// the boundary but its last character, then anything else
				case 3 -> "\r\n--" + BOUNDARY.substring(0, BOUNDARY.length() - 1) + "X";
				default -> "\r\r\n-\r\n--" + BOUNDARY.substring(0, 5);
			};
			out.writeBytes(near.getBytes(StandardCharsets.US_ASCII));
		}
		return out.toByteArray();
	}

	private static byte[] body(byte[] content, String filename) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(("preamble to ignore\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"dataset_name\"\r\n\r\n"
				+ "My Dataset\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
				+ filename.replace("\"", "\\\"") + "\"\r\nContent-Type: application/x-hdf5\r\n\r\n")
			.getBytes(StandardCharsets.UTF_8));
		out.writeBytes(content);
		out.writeBytes(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nline one\r\nline two\r\n--"
				+ BOUNDARY + "--\r\nepilogue").getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

	private static final class Parsed {

		final List<String> fields = new ArrayList<>();

		final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		byte[] file;

		String filename;

		String contentType;

	}

	/** {@code body} in pooled direct buffers of {@code piece} bytes, as the network delivers it; each also added to {@code network}. */
	private static List<DataBuffer> pooledPieces(byte[] body, int piece, List<ByteBuf> network) {
		NettyDataBufferFactory factory = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
		List<DataBuffer> pieces = new ArrayList<>();
		for (int at = 0; at < body.length; at += piece) {
			int length = Math.min(piece, body.length - at);
			ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(length);
			buffer.writeBytes(body, at, length);
			network.add(buffer);
			pieces.add(factory.wrap(buffer));
		}
		return pieces;
	}

	private static Parsed parse(byte[] body, int piece) {
		return parse(body, piece, 256 * 1024);
	}

	private static Parsed parse(byte[] body, int piece, int maxField) {
		List<DataBuffer> pieces = new ArrayList<>();
		for (int at = 0; at < body.length; at += piece) {
			pieces.add(DefaultDataBufferFactory.sharedInstance
				.wrap(java.util.Arrays.copyOfRange(body, at, Math.min(body.length, at + piece))));
		}
		Parsed parsed = new Parsed();
		for (MultipartStream.Event event : MultipartStream.parse(Flux.fromIterable(pieces), BOUNDARY, maxField)
			.collectList()
			.block()) {
			if (event instanceof MultipartStream.Field field) {
				parsed.fields.add(field.name() + "=" + field.value());
			}
			else if (event instanceof MultipartStream.FileStart start) {
				parsed.filename = start.filename();
				parsed.contentType = start.contentType();
			}
			else if (event instanceof MultipartStream.FileData data) {
				DataBuffer buffer = data.take();
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				DataBufferUtils.release(buffer);
				parsed.bytes.writeBytes(bytes);
			}
		}
		parsed.file = parsed.bytes.toByteArray();
		return parsed;
	}

}
