package org.sciport.upload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.sciport.testsupport.TestTokens;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;

/**
 * upload-service on a random port with a web test client, trusting {@link TestTokens}' key,
 * with a real dataset-service ({@link Catalogue}) behind it. Each test class still names its
 * own database ({@link Catalogue#register}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=upload-service", "spring.main.web-application-type=reactive", "sciport.upload.conversion.poll=500ms",
				"sciport.upload.conversion.backoff=100ms", "sciport.upload.max-file-size=8MB",
				"sciport.upload.max-chunk-size=1MB", "sciport.upload.expiry-sweep=500ms" })
@AutoConfigureWebTestClient(timeout = "60s")
@Import(TestTokens.class)
public @interface UploadServiceIntegrationTest {

}
