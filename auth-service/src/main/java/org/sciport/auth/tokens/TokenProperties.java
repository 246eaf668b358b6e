package org.sciport.auth.tokens;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Token lifetimes and signing-key handling ({@code sciport.auth.tokens.*}).
 *
 * @param accessTokenTtl how long an access token is valid
 * @param refreshTokenTtl how long a refresh token is valid (each refresh starts it again)
 * @param keyRotation how long a signing key signs before its successor is prepared
 * @param keyPublishLead how long a new key is published before it signs, so every verifier's
 * key cache has it by then
 * @param keyEncryptionKey base64 of 32 random bytes: seals the private signing keys at rest
 */
@ConfigurationProperties("sciport.auth.tokens")
public record TokenProperties(@DefaultValue("15m") Duration accessTokenTtl, @DefaultValue("30d") Duration refreshTokenTtl,
		@DefaultValue("30d") Duration keyRotation, @DefaultValue("10m") Duration keyPublishLead,
		@DefaultValue("") String keyEncryptionKey) {
}
