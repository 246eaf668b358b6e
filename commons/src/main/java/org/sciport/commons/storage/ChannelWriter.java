package org.sciport.commons.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a stream of buffers to a file channel, handed over in batches of about a mebibyte
 * to a worker thread that writes them with plain blocking calls: the event loop goes on reading the
 * network while the disk is written, at most a few batches ahead. Every buffer is released,
 * written or not.
 *
 * <p>While a stream is written, the disk's own writing of it is started every few mebibytes
 * (an {@code fdatasync} on another thread, not waited for), so that the disk works while the
 * network still delivers: without it the kernel would hold a whole upload in the page cache
 * (a machine with a lot of memory starts writing back only after many gigabytes, or half a
 * minute) and the final force would make the client wait for all of it at once.
 */
public final class ChannelWriter {

	/** Bytes gathered into one write call. */
	static final int BATCH = 1024 * 1024;

	/** Batches in flight between the network and the disk. */
	private static final int AHEAD = 4;

	/** Bytes written between two starts of the disk's writing. */
	static final long WRITEBACK_EVERY = 8L * 1024 * 1024;

	/**
	 * The threads that write, force and close the files (as many as the shared worker pool
	 * has, and as long a queue). Unlike that pool's, a task of theirs that is cancelled (the
	 * client went away) is never interrupted: interrupting a thread in a file operation closes
	 * the channel on the interrupting thread, often an event loop, and a close waits for any
	 * force still running on the channel.
	 */
	private static final Scheduler FILES = threads("sciport-files", Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE);

	/** The threads that start the disk's writing (each blocks in an {@code fdatasync}). */
	private static final Scheduler WRITEBACKS = threads("sciport-writeback",
			Math.max(2, Runtime.getRuntime().availableProcessors()));

	private ChannelWriter() {
	}

	/**
	 * At most {@code size} daemon threads (idle ones end after a minute) behind a bounded queue,
	 * as a scheduler whose cancelled tasks are never interrupted: it is handed a plain
	 * {@link Executor}, not the executor service, which Reactor would cancel with interrupts.
	 */
	private static Scheduler threads(String name, int size) {
		AtomicInteger count = new AtomicInteger();
		ThreadPoolExecutor executor = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE), (task) -> {
					Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		executor.allowCoreThreadTimeOut(true);
		Executor plain = executor::execute;
		return Schedulers.fromExecutor(plain);
	}

	/** A way to open the channel to write to (at the position to start from). */
	@FunctionalInterface
	public interface Opener {

		FileChannel open() throws IOException;

	}

	/**
	 * Opens a channel, writes {@code source} at its position, and closes it, however the write
	 * ends; emits the bytes written.
	 */
	public static Mono<Long> write(Flux<DataBuffer> source, Opener opener) {
		return using(opener, (channel) -> write(source, channel, false));
	}

	/**
	 * As {@link #write(Flux, Opener)}, and the file's data is on disk before the count is
	 * emitted: for bytes that are acknowledged to a client as kept (a chunk, a tus offset).
	 */
	public static Mono<Long> writeDurably(Flux<DataBuffer> source, Opener opener) {
		return using(opener, (channel) -> write(source, channel, true));
	}

	/**
	 * Runs {@code work} on a channel it opens and closes. A write that ends by itself closes it
	 * on the thread it ended on, a worker's, before its count goes on. A cancelled one (the
	 * client went away) closes it on a worker too, not on the cancelling thread, often an
	 * event loop: a close waits for a writeback still running on the channel.
	 */
	private static Mono<Long> using(Opener opener, Function<FileChannel, Mono<Long>> work) {
		return Mono.usingWhen(Mono.fromCallable(opener::open), work,
				(channel) -> Mono.fromRunnable(() -> closeQuietly(channel)),
				(channel, ex) -> Mono.fromRunnable(() -> closeQuietly(channel)),
				(channel) -> Mono.fromRunnable(() -> closeQuietly(channel)).subscribeOn(FILES));
	}

	private static void closeQuietly(FileChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// The write has already ended; a failed close changes nothing for its caller.
		}
	}

	/**
	 * Writes {@code source} at the channel's current position (and forces it to disk if
	 * {@code durable}); emits the bytes written. Closing the channel is the caller's.
	 */
	private static Mono<Long> write(Flux<DataBuffer> source, FileChannel channel, boolean durable) {
		return Mono.defer(() -> {
			Writeback writeback = new Writeback(channel);
			AtomicLong written = new AtomicLong();
			AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
			// A stream that fails still has what arrived before the failure written (a resumable
			// upload goes on from there); the failure is passed on afterwards.
			Flux<DataBuffer> upToFailure = source.onErrorResume((ex) -> {
				failure.set(ex);
				return Flux.empty();
			});
			return batches(upToFailure)
				.publishOn(FILES, AHEAD)
				.doOnNext((batch) -> writeback.wrote(written.addAndGet(writeAll(batch, channel))))
				.doOnDiscard(List.class, ChannelWriter::releaseAll)
				.doOnDiscard(DataBuffer.class, DataBufferUtils::release)
				.then()
				// The channel is closed after this, however the write ends: never while the disk
				// is still being asked to write.
				.onErrorResume((ex) -> writeback.settled().then(Mono.error(ex)))
				.then(writeback.settled())
				.then(Mono.defer(() -> {
					// A writeback that failed lost data the final force would not report again
					// (the kernel reports a failed write-back once, then counts the pages clean).
					IOException lost = writeback.failure();
					if (lost != null) {
						return Mono.error(new DiskFailure(lost));
					}
					Throwable failed = failure.get();
					if (failed != null) {
						return Mono.error(failed);
					}
					return durable ? Mono.fromCallable(() -> {
						try {
							channel.force(false);
						}
						catch (IOException ex) {
							throw new DiskFailure(ex);
						}
						return written.get();
					}).subscribeOn(FILES) : Mono.just(written.get());
				}));
		});
	}

	/**
	 * Starts the disk's writing of a channel's data every {@link #WRITEBACK_EVERY} bytes, one
	 * at a time, on a small pool of its own ({@link #WRITEBACKS}): however many uploads run at
	 * once, their writebacks never hold the shared worker threads that write and hash. One
	 * still queued when the write ends is dropped, not waited for. One that fails fails the
	 * write ({@link DiskFailure}): the kernel reports a failed write-back only once, so a later
	 * force would succeed over the lost pages.
	 */
	private static final class Writeback {

		private final FileChannel channel;

		/** Where the last writeback was started; touched by the writing thread only. */
		private long startedAt;

		private volatile Flush current = Flush.OVER;

		private final AtomicReference<@Nullable IOException> failed = new AtomicReference<>();

		Writeback(FileChannel channel) {
			this.channel = channel;
		}

		/** The channel now holds {@code total} bytes of the stream. */
		void wrote(long total) {
			if (total - this.startedAt < WRITEBACK_EVERY || !this.current.over()) {
				return;
			}
			this.startedAt = total;
			Flush next = new Flush(this.channel, this.failed);
			this.current = next;
			try {
				WRITEBACKS.schedule(next);
			}
			catch (RuntimeException ex) {
				// No room in the queue, or shutting down: the final force does it all.
				next.settle();
			}
		}

		/** Completes once no writeback is running; one not yet begun never will. */
		Mono<Void> settled() {
			return Mono.defer(() -> this.current.settle());
		}

		/** The first failure of a writeback of this write, once {@link #settled()}. */
		@Nullable IOException failure() {
			return this.failed.get();
		}

	}

	/**
	 * The file could not be written or forced: what the write reported as written may not be
	 * on disk. Distinct from the stream's own failures (a client that went away), which leave
	 * what reached the file usable.
	 */
	public static final class DiskFailure extends UncheckedIOException {

		DiskFailure(IOException cause) {
			super("The file could not be written to disk: " + cause.getMessage(), cause);
		}

	}

	/** One writeback: queued, then running, then over (or dropped before it ran). */
	private static final class Flush implements Runnable {

		static final Flush OVER = new Flush(null, new AtomicReference<>());

		private static final int QUEUED = 0;

		private static final int RUNNING = 1;

		private static final int ENDED = 2;

		private final @Nullable FileChannel channel;

		private final AtomicInteger state;

		private final CompletableFuture<@Nullable Void> ended = new CompletableFuture<>();

		private final AtomicReference<@Nullable IOException> failed;

		private Flush(@Nullable FileChannel channel, AtomicReference<@Nullable IOException> failed) {
			this.channel = channel;
			this.failed = failed;
			this.state = new AtomicInteger((channel != null) ? QUEUED : ENDED);
			if (channel == null) {
				this.ended.complete(null);
			}
		}

		boolean over() {
			return this.state.get() == ENDED;
		}

		@Override
		public void run() {
			if (!this.state.compareAndSet(QUEUED, RUNNING)) {
				return;
			}
			try {
				if (this.channel != null) {
					this.channel.force(false);
				}
			}
			catch (ClosedChannelException ex) {
				// The write was cancelled and its channel closed: nothing to report to anyone.
			}
			catch (IOException ex) {
				this.failed.compareAndSet(null, ex);
			}
			catch (RuntimeException ex) {
				// A head start only; see Writeback.
			}
			finally {
				this.state.set(ENDED);
				this.ended.complete(null);
			}
		}

		Mono<Void> settle() {
			if (this.state.compareAndSet(QUEUED, ENDED)) {
				this.ended.complete(null);
			}
			return this.ended.isDone() ? Mono.empty() : Mono.fromFuture(this.ended, true).then();
		}

	}

	/**
	 * The buffers in batches of about {@link #BATCH} bytes (the last one smaller), for work
	 * handed to another thread a batch at a time rather than a network buffer at a time.
	 */
	public static Flux<List<DataBuffer>> batches(Flux<DataBuffer> source) {
		return Flux.defer(() -> {
			AtomicLong pending = new AtomicLong();
			return source.bufferUntil((buffer) -> {
				if (pending.addAndGet(buffer.readableByteCount()) >= BATCH) {
					pending.set(0);
					return true;
				}
				return false;
			});
		});
	}

	/**
	 * Writes a batch with as few calls as the platform allows: the views of all its buffers
	 * go into one gathering write (the kernel takes up to IOV_MAX of them a call), instead of
	 * one call per network buffer (a multipart body arrives as slices of a few KiB).
	 */
	static long writeAll(List<DataBuffer> batch, FileChannel channel) {
		// The views are valid only while their iterators are open: write them inside them.
		List<DataBuffer.ByteBufferIterator> iterators = new ArrayList<>(batch.size());
		try {
			List<ByteBuffer> views = new ArrayList<>(batch.size() + 4);
			long size = 0;
			for (DataBuffer buffer : batch) {
				DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers();
				iterators.add(iterator);
				while (iterator.hasNext()) {
					ByteBuffer view = iterator.next();
					size += view.remaining();
					views.add(view);
				}
			}
			ByteBuffer[] array = views.toArray(ByteBuffer[]::new);
			int first = 0;
			for (long left = size; left > 0;) {
				left -= channel.write(array, first, array.length - first);
				while (first < array.length && !array[first].hasRemaining()) {
					first++;
				}
			}
			return size;
		}
		catch (IOException ex) {
			throw new DiskFailure(ex);
		}
		finally {
			iterators.forEach(DataBuffer.ByteBufferIterator::close);
			releaseAll(batch);
		}
	}

	static void releaseAll(List<?> batch) {
		for (Object buffer : batch) {
			if (buffer instanceof DataBuffer dataBuffer) {
				DataBufferUtils.release(dataBuffer);
			}
		}
	}

}
