package org.sciport.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;

/**
 * auth-service on a random port with a web test client, its bootstrap administrator and a
 * fixed key-encryption key. Each test class still names its own database
 * ({@code TestInfrastructure.register}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.name=auth-service", "sciport.auth.admin.password=bootstrap-admin-secret",
				"sciport.auth.tokens.key-encryption-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
				"sciport.security.client-address-key=" + AuthServiceIntegrationTest.CLIENT_ADDRESS_KEY })
@AutoConfigureWebTestClient
public @interface AuthServiceIntegrationTest {

	/** The key a test signs client addresses with, as the gateway does. */
	String CLIENT_ADDRESS_KEY = "Z2F0ZXdheS1zaWducy1jbGllbnQtYWRkcmVzc2VzLTMyYg==";

}
