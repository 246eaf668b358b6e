package org.sciport.commons.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The batching writer on real files and real (pooled, reference-counted) Netty buffers: many
 * small and composite buffers land in order, each written once and released; the disk's
 * writing starts while a long stream goes on, and a durable write is forced after its end.
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

	@Test
	void startsTheDisksWritingWhileTheStreamGoesOnAndNeverClosesDuringIt() throws Exception {
		Path file = this.directory.resolve("long.bin");
		ForceRecordingChannel channel = new ForceRecordingChannel(file);
		int pieces = (int) (3 * ChannelWriter.WRITEBACK_EVERY / 65536) + 5;
		// A stream that arrives over time, as from a network.
		Flux<DataBuffer> source = Flux.range(0, pieces)
			.delayElements(Duration.ofMillis(1))
			.map((i) -> plain(new byte[65536], 0, 65536));
		Long written = ChannelWriter.write(source, () -> channel).block(Duration.ofSeconds(60));
		assertThat(written).isEqualTo(pieces * 65536L);
		// Started mid-stream (the first with most of the stream still to come), at most one per
		// step, none after the channel was closed.
		assertThat(channel.forcedAt).isNotEmpty().hasSizeLessThanOrEqualTo(3);
		assertThat(channel.forcedAt.peek()).isLessThan(written / 2);
		assertThat(channel.closedWhileForcing).isFalse();
		assertThat(channel.isOpen()).isFalse();
	}

	@Test
	void aWritebackStillQueuedWhenTheWriteEndsIsDroppedNotWaitedFor() throws Exception {
		// Every writeback thread held in a slow force...
		int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		List<ForceRecordingChannel> held = new ArrayList<>();
		List<reactor.core.Disposable> writes = new ArrayList<>();
		try {
			for (int i = 0; i < threads; i++) {
				ForceRecordingChannel channel = new ForceRecordingChannel(this.directory.resolve("held" + i + ".bin"));
				channel.hold = release;
				held.add(channel);
				// Streams that go on (a finished one would drop a writeback not yet begun).
				Flux<DataBuffer> endless = Flux.interval(Duration.ofMillis(1)).onBackpressureDrop().map((n) -> plain(new byte[65536], 0, 65536));
				writes.add(ChannelWriter.write(endless, () -> channel).subscribe());
			}
			awaitUntil(() -> held.stream().noneMatch((channel) -> channel.forcedAt.isEmpty()));
			assertThat(held).allSatisfy((channel) -> assertThat(channel.forcedAt).hasSize(1));
			// ...so this write's writeback can only queue: the write still ends, without it.
			ForceRecordingChannel queued = new ForceRecordingChannel(this.directory.resolve("queued.bin"));
			assertThat(ChannelWriter.write(eightMiBAndABit(), () -> queued).block(Duration.ofSeconds(30)))
				.isEqualTo(ChannelWriter.WRITEBACK_EVERY + 65536);
			assertThat(queued.forcedAt).isEmpty();
			assertThat(queued.isOpen()).isFalse();
		}
		finally {
			release.countDown();
			writes.forEach(reactor.core.Disposable::dispose);
		}
	}

	/** Waits up to 30 s for {@code condition}; the assertions after it say whether it came. */
	private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
	}

	private Flux<DataBuffer> eightMiBAndABit() {
		return Flux.range(0, (int) (ChannelWriter.WRITEBACK_EVERY / 65536) + 1).map((i) -> plain(new byte[65536], 0, 65536));
	}

	@Test
	void aFailedWritebackOrFinalForceFailsTheWrite() throws Exception {
		// The kernel reports a failed write-back once: a force after it would succeed.
		ForceRecordingChannel early = new ForceRecordingChannel(this.directory.resolve("early.bin"));
		early.failForces = true;
		Flux<DataBuffer> thenAPause = eightMiBAndABit().concatWith(Mono.delay(Duration.ofMillis(500)).then(Mono.empty()));
		assertThatThrownBy(() -> ChannelWriter.write(thenAPause, () -> early).block(Duration.ofSeconds(30)))
			.isInstanceOf(ChannelWriter.DiskFailure.class)
			.hasMessageContaining("injected");
		assertThat(early.forcedAt).hasSize(1);
		ForceRecordingChannel last = new ForceRecordingChannel(this.directory.resolve("last.bin"));
		last.failForces = true;
		assertThatThrownBy(() -> ChannelWriter.writeDurably(Flux.just(plain(new byte[100], 0, 100)), () -> last)
			.block(Duration.ofSeconds(30)))
			.isInstanceOf(ChannelWriter.DiskFailure.class);
		assertThat(early.isOpen()).isFalse();
		assertThat(last.isOpen()).isFalse();
	}

	@Test
	void aCancelledWriteClosesItsChannelOffTheCancellingThread() throws Exception {
		ForceRecordingChannel channel = new ForceRecordingChannel(this.directory.resolve("cancelled.bin"));
		// A stream that never ends, as from a client that stops sending mid-upload.
		Flux<DataBuffer> source = Flux.interval(Duration.ofMillis(1)).onBackpressureDrop().map((i) -> plain(new byte[65536], 0, 65536));
		reactor.core.Disposable writing = ChannelWriter.write(source, () -> channel).subscribe();
		awaitUntil(() -> !channel.forcedAt.isEmpty());
		assertThat(channel.forcedAt).as("a writeback started").isNotEmpty();
		writing.dispose();
		awaitUntil(() -> !channel.isOpen());
		assertThat(channel.isOpen()).isFalse();
		assertThat(channel.closedBy).isNotEqualTo(Thread.currentThread().getName()).startsWith("sciport-files");
	}

	@Test
	void aWriteCancelledDuringItsFinalForceDoesNotInterruptIt() throws Exception {
		ForceRecordingChannel channel = new ForceRecordingChannel(this.directory.resolve("slow.bin"));
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		channel.hold = release;
		reactor.core.Disposable writing = ChannelWriter.writeDurably(Flux.just(plain(new byte[100], 0, 100)), () -> channel)
			.subscribe();
		awaitUntil(() -> !channel.forcedAt.isEmpty());
		// The client goes away while the disk is still busy with the force.
		writing.dispose();
		// Time for an interrupt, if the cancel sent one, to reach the held force before it ends.
		Thread.sleep(100);
		release.countDown();
		awaitUntil(() -> !channel.isOpen());
		assertThat(channel.forcedAt).hasSize(1);
		assertThat(channel.interruptedInForce).isFalse();
		assertThat(channel.isOpen()).isFalse();
	}

	@Test
	void aDurableWriteIsForcedAfterItsLastByteAndAPlainOneIsNot() throws Exception {
		byte[] expected = new byte[ChannelWriter.BATCH + 999];
		new Random(3).nextBytes(expected);
		ForceRecordingChannel durable = new ForceRecordingChannel(this.directory.resolve("durable.bin"));
		// Closed by the time the count goes on.
		assertThat(ChannelWriter.writeDurably(Flux.just(plain(expected, 0, expected.length)), () -> durable)
			.map((written) -> durable.isOpen() ? -1 : written)
			.block(Duration.ofSeconds(30))).isEqualTo(expected.length);
		assertThat(durable.forcedAt).containsExactly((long) expected.length);
		ForceRecordingChannel plain = new ForceRecordingChannel(this.directory.resolve("plain.bin"));
		assertThat(ChannelWriter.write(Flux.just(plain(expected, 0, expected.length)), () -> plain)
			.block(Duration.ofSeconds(30))).isEqualTo(expected.length);
		assertThat(plain.forcedAt).isEmpty();
		assertThat(Files.readAllBytes(this.directory.resolve("durable.bin"))).isEqualTo(expected);
	}

	@Test
	void aFailedDurableWriteIsNotForcedAndPassesTheFailureOn() throws Exception {
		ForceRecordingChannel channel = new ForceRecordingChannel(this.directory.resolve("failed.bin"));
		Flux<DataBuffer> source = Flux.concat(Flux.just(plain(new byte[1000], 0, 1000)),
				Flux.error(new IllegalStateException("gone")));
		assertThatThrownBy(() -> ChannelWriter.writeDurably(source, () -> channel).block(Duration.ofSeconds(30)))
			.hasMessage("gone");
		assertThat(channel.forcedAt).isEmpty();
		assertThat(Files.size(this.directory.resolve("failed.bin"))).isEqualTo(1000);
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

	/**
	 * A real file channel that records the file's size at each force (each made slow, as a
	 * disk's is) and whether it was closed while one ran.
	 */
	private static final class ForceRecordingChannel extends FileChannel {

		private final FileChannel file;

		final Queue<Long> forcedAt = new ConcurrentLinkedQueue<>();

		private volatile boolean forcing;

		volatile boolean closedWhileForcing;

		ForceRecordingChannel(Path path) throws IOException {
			this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
		}

		volatile boolean interruptedInForce;

		/** Whether each force fails (a disk that lost the pages). */
		volatile boolean failForces;

		/** If set, each force waits for it (a disk that does not answer). */
		volatile java.util.concurrent.@org.jspecify.annotations.Nullable CountDownLatch hold;

		@Override
		public void force(boolean metaData) throws IOException {
			this.forcing = true;
			try {
				this.forcedAt.add(this.file.size());
				// As a disk does: slow, and an interrupt does not end it (but is noted).
				long until = System.nanoTime() + 20_000_000L;
				while (System.nanoTime() < until) {
					java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
					this.interruptedInForce |= Thread.interrupted();
				}
				java.util.concurrent.CountDownLatch waitFor = this.hold;
				while (waitFor != null && waitFor.getCount() > 0) {
					try {
						waitFor.await();
					}
					catch (InterruptedException ex) {
						this.interruptedInForce = true;
					}
				}
				if (this.failForces) {
					throw new IOException("injected: the disk failed");
				}
				this.file.force(metaData);
			}
			finally {
				this.forcing = false;
			}
		}

		volatile String closedBy = "";

		@Override
		protected void implCloseChannel() throws IOException {
			this.closedBy = Thread.currentThread().getName();
			this.closedWhileForcing |= this.forcing;
			this.file.close();
		}

		@Override
		public int read(ByteBuffer dst) throws IOException {
			return this.file.read(dst);
		}

		@Override
		public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
			return this.file.read(dsts, offset, length);
		}

		@Override
		public int write(ByteBuffer src) throws IOException {
			return this.file.write(src);
		}

		@Override
		public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
			return this.file.write(srcs, offset, length);
		}

		@Override
		public long position() throws IOException {
			return this.file.position();
		}

		@Override
		public FileChannel position(long newPosition) throws IOException {
			this.file.position(newPosition);
			return this;
		}

		@Override
		public long size() throws IOException {
			return this.file.size();
		}

		@Override
		public FileChannel truncate(long size) throws IOException {
			this.file.truncate(size);
			return this;
		}

		@Override
		public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
			return this.file.transferTo(position, count, target);
		}

		@Override
		public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
			return this.file.transferFrom(src, position, count);
		}

		@Override
		public int read(ByteBuffer dst, long position) throws IOException {
			return this.file.read(dst, position);
		}

		@Override
		public int write(ByteBuffer src, long position) throws IOException {
			return this.file.write(src, position);
		}

		@Override
		public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
			return this.file.map(mode, position, size);
		}

		@Override
		public FileLock lock(long position, long size, boolean shared) throws IOException {
			return this.file.lock(position, size, shared);
		}

		@Override
		public FileLock tryLock(long position, long size, boolean shared) throws IOException {
			return this.file.tryLock(position, size, shared);
		}

	}

}
