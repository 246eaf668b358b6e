package org.sciport.upload;

import java.util.HashMap;
import java.util.Map;

import com.adobe.testing.s3mock.S3MockApplication;

/**
 * An S3-compatible server (S3Mock) inside the test JVM, with one bucket. It is a servlet
 * application of its own: the auto-configurations the services' class path brings along
 * (databases, Kafka, Sciport's own) are kept out of it.
 */
public final class Bucket {

	private Bucket() {
	}

	public static S3MockApplication start(String bucket) {
		Map<String, Object> properties = new HashMap<>();
		properties.put(S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT);
		properties.put(S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT);
		properties.put(S3MockApplication.PROP_SILENT, true);
		properties.put("com.adobe.testing.s3mock.store.initialBuckets", bucket);
		properties.put("spring.main.web-application-type", "servlet");
		properties.put("spring.autoconfigure.exclude", String.join(",",
				"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
				"org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
				"org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
				"org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
				"org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
				"org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration",
				"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
				"org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
				"org.sciport.commons.autoconfigure.SciportServiceAutoConfiguration"));
		return S3MockApplication.start(properties);
	}

}
