package org.sciport.upload.receive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole-file checksums of a chunked upload, computed as chunks arrive in any order, and
 * refused wherever the spool's bytes may have changed under them.
 */
class RunningChecksumsTests {

	private static final int CHUNK = 64 * 1024;

	@TempDir
	Path directory;

	private Path file;

	private byte[] content;

	private final Map<Integer, String> stored = new HashMap<>();

	private final Map<Integer, String> xxhash = new HashMap<>();

	@BeforeEach
	void spool() throws IOException {
		this.content = new byte[7 * CHUNK + 1234];
		new Random(7).nextBytes(this.content);
		this.file = this.directory.resolve("spool");
		Files.write(this.file, this.content);
		for (int index = 0; index < chunks(); index++) {
			Checksums chunk = new Checksums();
			chunk.update(this.content, index * CHUNK, Math.min(CHUNK, this.content.length - index * CHUNK));
			this.stored.put(index, chunk.sha256Hex());
			this.xxhash.put(index, chunk.xxhash64());
		}
	}

	@Test
	void chunksKeptInAnyOrderGiveTheWholeFilesChecksums() {
		List<Integer> order = new ArrayList<>();
		for (int index = 0; index < chunks(); index++) {
			order.add(index);
		}
		Collections.shuffle(order, new Random(3));
		RunningChecksums running = running();
		order.forEach((index) -> keep(running, index));
		assertThat(running.finish(this.stored)).satisfies(this::isTheWholeFile);
	}

	@Test
	void chunksKeptElsewhereAreReadAtTheEnd() {
		RunningChecksums running = running();
		keep(running, 0);
		keep(running, 1);
		keep(running, 5);
		assertThat(running.finish(this.stored)).satisfies(this::isTheWholeFile);
	}

	@Test
	void aChunkOverwrittenBeforeItIsReadIsNotTrusted() throws IOException {
		RunningChecksums running = running();
		keep(running, 1);
		// Another writer changes chunk 0 between its write here and its read back.
		overwrite(0);
		keep(running, 0);
		assertThat(running.finish(this.stored)).isNull();
	}

	@Test
	void aChunkStoredAgainWithOtherBytesIsNotTrusted() throws IOException {
		RunningChecksums running = running();
		keep(running, 0);
		keep(running, 1);
		// Chunk 1 was dropped and sent again, with other bytes, to another instance.
		overwrite(1);
		this.stored.put(1, "0".repeat(64));
		assertThat(running.finish(this.stored)).isNull();
	}

	@Test
	void aChunkWrittenAgainHereWithOtherBytesIsNotTrusted() throws IOException {
		RunningChecksums running = running();
		keep(running, 0);
		keep(running, 1);
		overwrite(0);
		running.kept(0, "0".repeat(16), "1".repeat(64));
		assertThat(running.finish(this.stored)).isNull();
	}

	@Test
	void aChunkWrittenAgainHereWithTheSameBytesChangesNothing() {
		RunningChecksums running = running();
		keep(running, 0);
		keep(running, 1);
		keep(running, 0);
		assertThat(running.finish(this.stored)).satisfies(this::isTheWholeFile);
	}

	private RunningChecksums running() {
		return new RunningChecksums(this.file, CHUNK, this.content.length, Schedulers.immediate());
	}

	private void keep(RunningChecksums running, int index) {
		running.kept(index, this.xxhash.get(index), this.stored.get(index));
	}

	private void overwrite(int index) throws IOException {
		try (FileChannel channel = FileChannel.open(this.file, StandardOpenOption.WRITE)) {
			channel.write(ByteBuffer.wrap(new byte[100]), (long) index * CHUNK + 10);
		}
	}

	private int chunks() {
		return (this.content.length + CHUNK - 1) / CHUNK;
	}

	private void isTheWholeFile(Checksums checksums) {
		Checksums whole = new Checksums();
		whole.update(this.content, 0, this.content.length);
		assertThat(checksums.length()).isEqualTo(this.content.length);
		assertThat(checksums.sha256Hex()).isEqualTo(whole.sha256Hex());
		assertThat(checksums.xxhash64()).isEqualTo(whole.xxhash64());
	}

}
