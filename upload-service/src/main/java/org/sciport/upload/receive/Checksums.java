package org.sciport.upload.receive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;

/**
 * xxHash64 (seed 0) and SHA-256 of one byte stream, computed in the same pass as the bytes
 * go by. Not thread-safe: one stream, one instance, fed in order.
 */
public final class Checksums {

	private static final XXHashFactory XXHASH = xxhashFactory();

	private static final int COPY_BUFFER = 64 * 1024;

	/**
	 * SHA-256 is fed at most this many bytes a call. The JDK's digest runs on the CPU's SHA
	 * instructions only once its {@code engineUpdate} is C2-compiled, and the JIT promotes a
	 * method by how often it is called, with thresholds that grow with its compile queue: in a
	 * busy JVM (the whole suite in one), 64 KiB calls left it C1-compiled, hashing at a fraction
	 * of the speed, for tens of seconds of uploading. A call per 4 KiB costs nothing measurable.
	 */
	private static final int SHA256_SLICE = 4 * 1024;

	private final StreamingXXHash64 xxhash = XXHASH.newStreamingHash64(0);

	private final MessageDigest sha256 = sha256();

	private final byte[] copy = new byte[COPY_BUFFER];

	private long length;

	private @Nullable String sha256Hex;

	private @Nullable String xxhash64Hex;

	/** Adds the readable bytes of {@code buffer}, leaving its read position where it was. */
	public void update(DataBuffer buffer) {
		try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
			while (iterator.hasNext()) {
				update(iterator.next());
			}
		}
	}

	/** Adds the remaining bytes of {@code buffer}, consuming them. */
	public void update(ByteBuffer buffer) {
		if (buffer.hasArray()) {
			int offset = buffer.arrayOffset() + buffer.position();
			int count = buffer.remaining();
			update(buffer.array(), offset, count);
			buffer.position(buffer.limit());
			return;
		}
		while (buffer.hasRemaining()) {
			int count = Math.min(buffer.remaining(), this.copy.length);
			buffer.get(this.copy, 0, count);
			update(this.copy, 0, count);
		}
	}

	public void update(byte[] bytes, int offset, int count) {
		if (this.sha256Hex != null || this.xxhash64Hex != null) {
			throw new IllegalStateException("The checksums have already been taken");
		}
		this.xxhash.update(bytes, offset, count);
		for (int at = offset, end = offset + count; at < end; at += SHA256_SLICE) {
			this.sha256.update(bytes, at, Math.min(SHA256_SLICE, end - at));
		}
		this.length += count;
	}

	/** The checksums of a whole file, in one read pass. Blocking. */
	public static Checksums of(Path file) throws IOException {
		Checksums checksums = new Checksums();
		ByteBuffer buffer = ByteBuffer.allocate(1024 * 1024);
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			while (channel.read(buffer.clear()) > 0) {
				checksums.update(buffer.flip());
			}
		}
		return checksums;
	}

	public long length() {
		return this.length;
	}

	/**
	 * The xxHash64 as 16 lower-case hex digits. Ends the hash (its native state is freed):
	 * nothing may be added after.
	 */
	public String xxhash64() {
		if (this.xxhash64Hex == null) {
			this.xxhash64Hex = HexFormat.of().toHexDigits(this.xxhash.getValue());
			this.xxhash.close();
		}
		return this.xxhash64Hex;
	}

	/** The SHA-256 as 64 lower-case hex digits. Ends the digest: nothing may be added after. */
	public String sha256Hex() {
		if (this.sha256Hex == null) {
			this.sha256Hex = HexFormat.of().formatHex(this.sha256.digest());
		}
		return this.sha256Hex;
	}

	/**
	 * lz4-java's native xxHash64 (JNI; about twice as fast as its pure-Java one here), or the
	 * fastest pure-Java one where it cannot load. {@code fastestInstance()} would never pick the
	 * native one inside a packaged application: it trusts only the system class loader to load
	 * a native library once per JVM, and the suite's single class loader is not that one.
	 */
	/**
	 * Loads the xxHash implementation now, on the calling thread (the service calls this while
	 * it starts).
	 */
	public static void load() {
		RunningChecksums.hashFactory();
	}

	/** The implementation every instance uses. */
	static XXHashFactory hashFactory() {
		return XXHASH;
	}

	private static XXHashFactory xxhashFactory() {
		try {
			XXHashFactory factory = XXHashFactory.nativeInstance();
			factory.hash64().hash(new byte[1], 0, 1, 0);
			return factory;
		}
		catch (LinkageError | AssertionError | RuntimeException ex) {
			// lz4-java reports a native library it cannot load with one of these.
			return XXHashFactory.fastestJavaInstance();
		}
	}

	static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java runtime", ex);
		}
	}

}
