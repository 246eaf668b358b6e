package org.sciport.gateway.cors;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which browser origins may call the gateway ({@code sciport.gateway.cors.*}). None by default:
 * a browser app must then be served from the gateway's own origin.
 *
 * @param allowedOrigins origins such as {@code https://portal.example.org}, or patterns such as
 * {@code https://*.example.org}
 * @param maxAge how long a browser may keep a preflight's answer
 */
@ConfigurationProperties("sciport.gateway.cors")
public record CorsProperties(@DefaultValue List<String> allowedOrigins, @DefaultValue("1h") Duration maxAge) {

	public CorsProperties {
		allowedOrigins = allowedOrigins.stream().map(String::trim).filter((origin) -> !origin.isEmpty()).toList();
	}

}
