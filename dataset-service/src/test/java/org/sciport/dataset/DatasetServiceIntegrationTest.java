package org.sciport.dataset;

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
 * dataset-service on a random port with a web test client, trusting {@link TestTokens}' key.
 * Each test class still names its own database ({@code TestInfrastructure.register}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.config.name=dataset-service")
@AutoConfigureWebTestClient
@Import(TestTokens.class)
public @interface DatasetServiceIntegrationTest {

}
