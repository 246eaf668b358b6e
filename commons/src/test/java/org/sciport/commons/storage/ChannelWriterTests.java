package org.sciport.commons.storage;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batching writer on real files and real (pooled, reference-counted) Netty buffers: many
 * small and composite buffers land in order, each written once and released.
 */
class ChannelWriterTests {

	@TempDir
	Path directory;

	private final NettyDataBufferFactory buffers = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);

	@Test
	void writesManySmallAndCompositeBuffersInOrderAndReleasesEachOnce() throws Exception {
		Random random = new Random(42);
		byte[] expected = new byte[3 * ChannelWriter.BATCH + 12345];
		random.nextBytes(expected);
		List<DataBuffer> pieces = new ArrayList<>();
		for (int at = 0; at < expected.length;) {
			int size = Math.min(expected.length - at, 1 + random.nextInt(20_000));
			pieces.add((pieces.size() % 7 == 3) ? composite(expected, at, size) : plain(expected, at, size));
			at += size;
		}
		Path file = this.directory.resolve("out.bin");
		Long written = ChannelWriter.write(Flux.fromIterable(pieces),
				() -> FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
			.block(Duration.ofSeconds(30));
		assertThat(written).isEqualTo(expected.length);
		assertThat(Files.readAllBytes(file)).isEqualTo(expected);
		assertThat(pieces).allSatisfy((piece) -> assertThat(this.buffers.toByteBuf(piece).refCnt())
			.isZero());
	}

	@Test
	void writesABatchWithOneGatheringCallPerKernelLimit() throws Exception {
		byte[] expected = new byte[2000 * 100];
		new Random(7).nextBytes(expected);
		List<DataBuffer> batch = new ArrayList<>();
		for (int at = 0; at < expected.length; at += 100) {
			batch.add(plain(expected, at, 100));
		}
		Path file = this.directory.resolve("batch.bin");
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
			// 2,000 views: more than one call's worth (IOV_MAX is 1,024 on Linux), all written.
			assertThat(ChannelWriter.writeAll(batch, channel)).isEqualTo(expected.length);
		}
		assertThat(Files.readAllBytes(file)).isEqualTo(expected);
		assertThat(batch).allSatisfy((piece) -> assertThat(this.buffers.toByteBuf(piece).refCnt()).isZero());
	}

	private DataBuffer plain(byte[] source, int at, int size) {
		ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(size);
		buffer.writeBytes(source, at, size);
		return this.buffers.wrap(buffer);
	}

	private DataBuffer composite(byte[] source, int at, int size) {
		CompositeByteBuf buffer = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
		int half = size / 2;
		ByteBuf first = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, half));
		first.writeBytes(source, at, half);
		ByteBuf second = PooledByteBufAllocator.DEFAULT.directBuffer(size - half);
		second.writeBytes(source, at + half, size - half);
		buffer.addComponents(true, first, second);
		return this.buffers.wrap(buffer);
	}

}
