package org.sciport.upload.receive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * The whole file's checksums of one chunked upload, computed while it is still arriving: as
 * soon as the chunks this instance has kept form a longer run from the file's start, the new
 * ones are read back from the spool (they are still in the page cache) and added, on a worker
 * thread. Completing then reads only what is left (chunks another instance received), not the
 * whole file again.
 *
 * <p>The sums are trusted only for bytes that cannot have changed since: every chunk read back
 * must have the xxHash64 it was written with (else another writer was overwriting it), and at
 * completion every chunk it covers must still be stored with the SHA-256 it had then (a chunk
 * dropped and sent again with other bytes would not be). Anything else and {@link #finish}
 * answers {@code null}: the caller reads the whole file, as without this.
 */
final class RunningChecksums {

	static XXHashFactory hashFactory() {
		return XXHASH;
	}

	private static final XXHashFactory XXHASH = Checksums.hashFactory();

	private static final int READ_BUFFER = 1024 * 1024;

	private final Path file;

	private final long chunkSize;

	private final long totalSize;

	private final Scheduler worker;

	private final Checksums checksums = new Checksums();

	/** Chunks kept here and not yet looked at: index to their xxHash64 and SHA-256. */
	private final Map<Integer, String[]> waiting = new ConcurrentHashMap<>();

	/** Chunks added: index to their SHA-256 when they were. */
	private final Map<Integer, String> added = new HashMap<>();

	private final AtomicInteger pending = new AtomicInteger();

	private int next;

	private volatile boolean broken;

	private volatile long touched = System.nanoTime();

	RunningChecksums(Path file, long chunkSize, long totalSize, Scheduler worker) {
		this.file = file;
		this.chunkSize = chunkSize;
		this.totalSize = totalSize;
		this.worker = worker;
	}

	/** When a chunk was last kept, in {@link System#nanoTime()}. */
	long touched() {
		return this.touched;
	}

	/**
	 * Chunk {@code index}, just written here and recorded, is added when its turn comes. Called
	 * on an event loop: it only notes the chunk and wakes the worker.
	 */
	void kept(int index, String xxhash64, String sha256) {
		this.touched = System.nanoTime();
		this.waiting.put(index, new String[] { xxhash64, sha256 });
		if (this.pending.getAndIncrement() == 0) {
			try {
				this.worker.schedule(this::drain);
			}
			catch (RuntimeException ex) {
				// The worker is shutting down: completing reads the file instead.
				this.broken = true;
			}
		}
	}

	private void drain() {
		do {
			advance();
		}
		while (this.pending.decrementAndGet() > 0);
	}

	/** Adds the kept chunks that continue the run from the start. */
	private synchronized void advance() {
		try {
			for (Iterator<Map.Entry<Integer, String[]>> chunks = this.waiting.entrySet().iterator(); chunks.hasNext();) {
				Map.Entry<Integer, String[]> chunk = chunks.next();
				if (chunk.getKey() < this.next) {
					// Written again after it was added: unless with the same bytes, the sums
					// are no longer this file's.
					if (!chunk.getValue()[1].equals(this.added.get(chunk.getKey()))) {
						this.broken = true;
					}
					chunks.remove();
				}
			}
			ByteBuffer buffer = null;
			String[] sums;
			while (!this.broken && (sums = this.waiting.remove(this.next)) != null) {
				if (buffer == null) {
					buffer = ByteBuffer.allocate(READ_BUFFER);
				}
				if (!add(this.next, buffer).equals(sums[0])) {
					// Not the bytes that were written: another writer is at this range.
					this.broken = true;
					return;
				}
				this.added.put(this.next, sums[1]);
				this.next++;
			}
		}
		catch (RuntimeException ex) {
			this.broken = true;
		}
	}

	/**
	 * The whole file's checksums, or {@code null} where they cannot be trusted (the caller then
	 * reads the file): {@code stored} is every chunk's SHA-256 as recorded now. Blocking.
	 */
	synchronized @Nullable Checksums finish(Map<Integer, String> stored) {
		advance();
		if (this.broken) {
			return null;
		}
		for (Map.Entry<Integer, String> chunk : this.added.entrySet()) {
			if (!chunk.getValue().equals(stored.get(chunk.getKey()))) {
				return null;
			}
		}
		ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
		long chunks = (this.totalSize + this.chunkSize - 1) / this.chunkSize;
		try {
			for (int index = this.next; index < chunks; index++) {
				add(index, buffer);
			}
		}
		catch (RuntimeException ex) {
			return null;
		}
		this.next = (int) chunks;
		// Used once: the sums are the caller's now.
		this.broken = true;
		return this.checksums;
	}

	/** Reads chunk {@code index} from the spool into the sums; answers its xxHash64. */
	private String add(int index, ByteBuffer buffer) {
		long start = index * this.chunkSize;
		long end = Math.min(this.totalSize, start + this.chunkSize);
		try (FileChannel channel = FileChannel.open(this.file, StandardOpenOption.READ);
				StreamingXXHash64 chunk = XXHASH.newStreamingHash64(0)) {
			long position = start;
			while (position < end) {
				buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
				int count = channel.read(buffer, position);
				if (count < 0) {
					throw new IOException("The spool file ends before chunk " + index + " does");
				}
				position += count;
				buffer.flip();
				chunk.update(buffer.array(), buffer.arrayOffset(), buffer.remaining());
				this.checksums.update(buffer);
			}
			return java.util.HexFormat.of().toHexDigits(chunk.getValue());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
