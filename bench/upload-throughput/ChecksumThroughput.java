import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.sciport.upload.receive.Checksums;

/**
 * Throughput of the checksums upload-service computes, over a file already in the page cache,
 * read in 1 MiB direct buffers (as network buffers arrive): xxHash64 alone, SHA-256 alone, and
 * both in one pass through the service's own {@code Checksums} class. Prints MB/s of the best
 * of three runs for each: {@code xxh64 sha256 both}.
 */
public class ChecksumThroughput {

	public static void main(String[] args) throws Exception {
		Path file = Path.of(args[0]);
		byte[] copy = new byte[1 << 20];
		double xxh = best(file, (buffer) -> {
		}, () -> XXHashFactory.fastestInstance().newStreamingHash64(0), null, copy);
		double sha = best(file, null, null, () -> MessageDigest.getInstance("SHA-256"), copy);
		double both = bestBoth(file);
		System.out.printf("%.1f %.1f %.1f%n", xxh, sha, both);
	}

	interface Factory<T> {

		T create() throws Exception;

	}

	private static double best(Path file, java.util.function.Consumer<ByteBuffer> unused, Factory<StreamingXXHash64> xxh,
			Factory<MessageDigest> sha, byte[] copy) throws Exception {
		double best = 0;
		for (int run = 0; run < 3; run++) {
			StreamingXXHash64 hash = (xxh != null) ? xxh.create() : null;
			MessageDigest digest = (sha != null) ? sha.create() : null;
			long started = System.nanoTime();
			long length = 0;
			ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
			try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
				while (channel.read(buffer.clear()) > 0) {
					buffer.flip();
					int count = buffer.remaining();
					buffer.get(copy, 0, count);
					if (hash != null) {
						hash.update(copy, 0, count);
					}
					if (digest != null) {
						digest.update(copy, 0, count);
					}
					length += count;
				}
			}
			if (hash != null) {
				hash.getValue();
			}
			if (digest != null) {
				digest.digest();
			}
			best = Math.max(best, length / ((System.nanoTime() - started) / 1e9) / 1e6);
		}
		return best;
	}

	private static double bestBoth(Path file) throws Exception {
		double best = 0;
		for (int run = 0; run < 3; run++) {
			long started = System.nanoTime();
			Checksums checksums = new Checksums();
			ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
			try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
				while (channel.read(buffer.clear()) > 0) {
					checksums.update(buffer.flip());
				}
			}
			checksums.sha256Hex();
			best = Math.max(best, checksums.length() / ((System.nanoTime() - started) / 1e9) / 1e6);
		}
		return best;
	}

}
