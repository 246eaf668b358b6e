package org.sciport.dataset.webhooks;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.DefaultEventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resolver webhook connections use: a name that resolves to an internal address fails to
 * resolve, so no connection is made to it whatever the check before said.
 */
class PublicAddressesTests {

	private final DefaultEventLoop loop = new DefaultEventLoop();

	@AfterEach
	void stop() {
		this.loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	@Test
	void aNameResolvingToAnInternalAddressIsNotResolved() throws Exception {
		AddressResolver<InetSocketAddress> resolver = new PublicAddresses().getResolver(this.loop.next());
		for (Future<?> resolved : List.of(resolver.resolve(InetSocketAddress.createUnresolved("localhost", 80)),
				resolver.resolveAll(InetSocketAddress.createUnresolved("localhost", 80)))) {
			resolved.await(10, TimeUnit.SECONDS);
			assertThat(resolved.isSuccess()).isFalse();
			assertThat(resolved.cause()).isInstanceOf(UnknownHostException.class)
				.hasMessageContaining("resolves to an internal address");
		}
	}

	@Test
	void aPublicAddressPassesAsItIs() throws Exception {
		AddressResolver<InetSocketAddress> resolver = new PublicAddresses().getResolver(this.loop.next());
		Future<InetSocketAddress> resolved = resolver.resolve(new InetSocketAddress("93.184.216.34", 443));
		resolved.await(10, TimeUnit.SECONDS);
		assertThat(resolved.isSuccess()).isTrue();
		assertThat(resolved.getNow().getAddress().getHostAddress()).isEqualTo("93.184.216.34");
	}

}
