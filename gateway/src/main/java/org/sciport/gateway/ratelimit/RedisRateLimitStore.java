package org.sciport.gateway.ratelimit;

import java.time.Instant;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import reactor.core.publisher.Mono;

/**
 * Window counters in Redis, shared by every gateway replica: one atomic script counts the
 * request and, for a new window, sets the counter to expire with it.
 */
public final class RedisRateLimitStore implements RateLimitStore, AutoCloseable {

	private static final String COUNT = "local count = redis.call('INCR', KEYS[1]) "
			+ "if count == 1 then redis.call('EXPIREAT', KEYS[1], ARGV[1]) end return count";

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	public RedisRateLimitStore(String redisUri) {
		this.client = RedisClient.create(redisUri);
		this.connection = this.client.connect();
	}

	@Override
	public Mono<Long> increment(String key, Instant windowEnd) {
		return this.connection.reactive()
			.<Long>eval(COUNT, ScriptOutputType.INTEGER, new String[] { key },
					Long.toString(windowEnd.getEpochSecond() + 1))
			.next();
	}

	@Override
	public Mono<Long> peek(String key) {
		return this.connection.reactive().get(key).map(Long::parseLong).defaultIfEmpty(0L);
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
