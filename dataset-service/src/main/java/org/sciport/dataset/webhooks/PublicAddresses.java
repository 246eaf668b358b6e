package org.sciport.dataset.webhooks;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

/**
 * Resolves the host names webhook requests connect to, and fails a name that resolves to an
 * internal address ({@link Destinations#internal}): the address checked is the address connected
 * to, so a name whose answer changes between the check before an attempt and the connection (DNS
 * rebinding) still reaches no internal address.
 */
final class PublicAddresses extends AddressResolverGroup<InetSocketAddress> {

	@Override
	protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) throws Exception {
		AddressResolver<InetSocketAddress> names = DefaultAddressResolverGroup.INSTANCE.getResolver(executor);
		return new AbstractAddressResolver<>(executor, InetSocketAddress.class) {

			@Override
			protected boolean doIsResolved(InetSocketAddress address) {
				return !address.isUnresolved();
			}

			@Override
			protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
				names.resolve(unresolved).addListener((resolved) -> {
					if (!resolved.isSuccess()) {
						promise.setFailure(resolved.cause());
						return;
					}
					InetSocketAddress address = (InetSocketAddress) resolved.getNow();
					if (Destinations.internal(address.getAddress())) {
						promise.setFailure(refused(unresolved, address));
						return;
					}
					promise.setSuccess(address);
				});
			}

			@Override
			protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
				names.resolveAll(unresolved).addListener((resolved) -> {
					if (!resolved.isSuccess()) {
						promise.setFailure(resolved.cause());
						return;
					}
					@SuppressWarnings("unchecked")
					List<InetSocketAddress> addresses = (List<InetSocketAddress>) resolved.getNow();
					for (InetSocketAddress address : addresses) {
						if (Destinations.internal(address.getAddress())) {
							promise.setFailure(refused(unresolved, address));
							return;
						}
					}
					promise.setSuccess(addresses);
				});
			}

		};
	}

	private static UnknownHostException refused(InetSocketAddress name, InetSocketAddress address) {
		return new UnknownHostException(name.getHostString() + " resolves to an internal address ("
				+ address.getAddress().getHostAddress() + "); webhooks go to public addresses only");
	}

}
