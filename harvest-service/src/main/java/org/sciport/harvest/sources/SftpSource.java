package org.sciport.harvest.sources;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.jspecify.annotations.Nullable;

/**
 * A directory on an SFTP server (Apache MINA SSHD's client). The server must show the host key
 * whose SHA-256 fingerprint the instrument pins; any other key ends the connection before a
 * credential is sent. Signs in with the service account's private key or password.
 */
public final class SftpSource implements Source {

	private final SshClient client;

	private final ClientSession session;

	private final SftpClient sftp;

	private final String base;

	private SftpSource(SshClient client, ClientSession session, SftpClient sftp, String base) {
		this.client = client;
		this.session = session;
		this.sftp = sftp;
		this.base = base;
	}

	/**
	 * Connects and signs in.
	 *
	 * @param host the server
	 * @param port its port
	 * @param fingerprint the pinned host key fingerprint ({@code SHA256:...})
	 * @param username the account's user name
	 * @param password its password, if it signs in with one
	 * @param privateKey its private key (OpenSSH or PEM), if it signs in with one
	 * @param directory the directory to harvest ({@code null}: the account's home)
	 * @param timeout how long connecting, signing in and each answer may take
	 */
	public static SftpSource connect(String host, int port, String fingerprint, String username,
			@Nullable String password, @Nullable String privateKey, @Nullable String directory, Duration timeout)
			throws IOException {
		SshClient client = SshClient.setUpDefaultClient();
		CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, timeout);
		SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.set(client, timeout);
		AtomicReference<String> shown = new AtomicReference<>();
		client.setServerKeyVerifier((clientSession, address, key) -> {
			String actual = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
			shown.set(actual);
			return fingerprint.equals(actual);
		});
		client.start();
		ClientSession session = null;
		try {
			session = client.connect(username, host, port).verify(timeout).getSession();
			if (privateKey != null) {
				for (KeyPair identity : identities(session, privateKey)) {
					session.addPublicKeyIdentity(identity);
				}
			}
			if (password != null) {
				session.addPasswordIdentity(password);
			}
			try {
				session.auth().verify(timeout);
			}
			catch (IOException ex) {
				String seen = shown.get();
				if (seen == null) {
					throw new SourceException("the SFTP server " + host + ":" + port + " did not show its host key within "
							+ timeout.toSeconds() + " s");
				}
				if (!fingerprint.equals(seen)) {
					throw new SourceException("the SFTP server " + host + ":" + port + " showed the host key " + seen
							+ ", not the pinned " + fingerprint);
				}
				throw new SourceException("signing in to the SFTP server " + host + ":" + port + " as " + username
						+ " failed", ex);
			}
			SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
			String base = (directory == null || directory.isBlank()) ? sftp.canonicalPath(".") : directory;
			return new SftpSource(client, session, sftp, base.endsWith("/") ? base : base + "/");
		}
		catch (IOException ex) {
			closeQuietly(session);
			client.stop();
			if (ex instanceof SourceException) {
				throw ex;
			}
			String seen = shown.get();
			if (seen != null && !fingerprint.equals(seen)) {
				throw new SourceException("the SFTP server " + host + ":" + port + " showed the host key " + seen
						+ ", not the pinned " + fingerprint);
			}
			throw new SourceException("the SFTP server " + host + ":" + port + " cannot be reached: " + ex.getMessage(), ex);
		}
	}

	private static Iterable<KeyPair> identities(ClientSession session, String privateKey) throws IOException {
		try {
			Iterable<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(session, NamedResource.ofName("service-account"),
					new ByteArrayInputStream(privateKey.getBytes(StandardCharsets.UTF_8)), FilePasswordProvider.EMPTY);
			if (keys == null) {
				throw new SourceException("the service account's private key is not one this service can read");
			}
			return keys;
		}
		catch (GeneralSecurityException ex) {
			throw new SourceException("the service account's private key is not one this service can read");
		}
	}

	/** The SHA-256 fingerprint of a public key, as the instrument pins it. */
	public static String fingerprint(PublicKey key) {
		return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
	}

	@Override
	public List<Found> list() throws IOException {
		List<Found> found = new ArrayList<>();
		walk(this.base, "", found, 0);
		return found;
	}

	private void walk(String directory, String prefix, List<Found> found, int depth) throws IOException {
		if (depth > 32) {
			return;
		}
		for (SftpClient.DirEntry entry : this.sftp.readDir(directory)) {
			String name = entry.getFilename();
			if (".".equals(name) || "..".equals(name)) {
				continue;
			}
			SftpClient.Attributes attributes = entry.getAttributes();
			if (attributes.isSymbolicLink()) {
				continue;
			}
			if (attributes.isDirectory()) {
				walk(directory + name + "/", prefix + name + "/", found, depth + 1);
			}
			else if (attributes.isRegularFile()) {
				found.add(new Found(prefix + name, attributes.getSize(), attributes.getModifyTime().toInstant()));
			}
		}
	}

	@Override
	public InputStream open(String path) throws IOException {
		if (path.startsWith("/") || path.contains("../") || path.equals("..")) {
			throw new SourceException("the path " + path + " leaves the source directory");
		}
		return this.sftp.read(this.base + path);
	}

	@Override
	public void close() throws IOException {
		try {
			this.sftp.close();
		}
		finally {
			closeQuietly(this.session);
			this.client.stop();
		}
	}

	private static void closeQuietly(@Nullable ClientSession session) {
		if (session != null) {
			try {
				session.close();
			}
			catch (IOException ex) {
				// Closing anyway.
			}
		}
	}

}
