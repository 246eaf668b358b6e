package org.sciport.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What the test JVMs' BlockHound lets block on a non-blocking thread (Reactor's and Netty's
 * event loops, Reactor's parallel scheduler), each with why it may. Everything else that blocks
 * there is an error in the code under test: it is printed with its stack (a blocking call can
 * fail where nobody reports it) and thrown as {@link BlockingOperationError}.
 *
 * <p>Installed in every test JVM by BlockHound's JUnit Platform listener, which finds this class
 * through {@code META-INF/services}.
 */
public final class SciportBlockHound implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		// UUID.randomUUID() and every SecureRandom read the kernel's pool through /dev/urandom,
		// which never waits for entropy after boot: the read is a copy, not I/O that can stall.
		builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "implNextBytes");
		builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "ensureBufferValid");
		// The first use of a class reads it from its jar, once per class and JVM.
		builder.allowBlockingCallsInside("java.lang.ClassLoader", "loadClass");
		// Netty's zstd support loads its native library from a jar while the class initialises,
		// once per JVM, on whichever event loop first decodes a zstd-capable response.
		builder.allowBlockingCallsInside("io.netty.handler.codec.compression.Zstd", "<clinit>");
		// Jackson builds the deserializer of a type once, under a short lock, and caches it: two
		// event loops reading the same type for the first time at once wait microseconds.
		builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer");
		// Handing a task to a thread pool (the storage's file threads) takes the pool's lock for the
		// moment it adds a worker or queues the task; nothing waits on I/O under it.
		builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "execute");
		// Netty 4.2's adaptive buffer allocator guards its magazines with a StampedLock held for a
		// few instructions; when two event loops grow the same magazine group at once, one parks
		// for that moment.
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
		builder.blockingMethodCallback((method) -> {
			BlockingOperationError error = new BlockingOperationError(method);
			System.err.println("BlockHound: blocking call on a non-blocking thread");
			error.printStackTrace();
			throw error;
		});
	}

}
