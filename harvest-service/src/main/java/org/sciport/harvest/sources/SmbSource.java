package org.sciport.harvest.sources;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.mserref.NtStatus;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.fileinformation.FileIdBothDirectoryInformation;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.protocol.commons.EnumWithValue;
import com.hierynomus.smbj.SMBClient;
import com.hierynomus.smbj.SmbConfig;
import com.hierynomus.smbj.auth.AuthenticationContext;
import com.hierynomus.smbj.connection.Connection;
import com.hierynomus.smbj.session.Session;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.File;
import com.hierynomus.smbj.share.Share;
import org.jspecify.annotations.Nullable;

/**
 * A folder on a Windows share (SMB 2 and 3, through smbj), as most instrument PCs offer their
 * data: {@code cifs_host}, {@code cifs_share} and {@code cifs_base_path}, read with the service
 * account's domain, user name and password. Files are opened for reading only, sharing read and
 * write with the instrument that may still be writing them. Reparse points (links) are not
 * followed.
 */
public final class SmbSource implements Source {

	private final SMBClient client;

	private final Connection connection;

	private final DiskShare share;

	private final String base;

	private SmbSource(SMBClient client, Connection connection, DiskShare share, String base) {
		this.client = client;
		this.connection = connection;
		this.share = share;
		this.base = base;
	}

	/**
	 * Connects, signs in and opens the share.
	 *
	 * @param host the instrument PC
	 * @param port its SMB port (445 unless the site says otherwise)
	 * @param shareName the share
	 * @param basePath the folder in the share to harvest ({@code null}: the share's root)
	 * @param domain the account's Windows domain, if any
	 * @param username the account's user name
	 * @param password its password
	 * @param timeout how long connecting, signing in and each answer may take
	 */
	public static SmbSource connect(String host, int port, String shareName, @Nullable String basePath,
			@Nullable String domain, String username, String password, Duration timeout) throws IOException {
		SmbConfig config = SmbConfig.builder()
			.withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
			.withSoTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
			.build();
		SMBClient client = new SMBClient(config);
		Connection connection = null;
		try {
			connection = client.connect(host, port);
			Session session;
			try {
				session = connection.authenticate(
						new AuthenticationContext(username, password.toCharArray(), (domain != null) ? domain : ""));
			}
			catch (SMBApiException ex) {
				throw new SourceException("signing in to " + host + ":" + port + " as "
						+ ((domain != null) ? domain + "\\" : "") + username + " failed (" + ex.getStatus() + ")");
			}
			Share share;
			try {
				share = session.connectShare(shareName);
			}
			catch (SMBApiException ex) {
				throw new SourceException("the share " + shareName + " on " + host + " cannot be opened (" + ex.getStatus()
						+ ")");
			}
			if (!(share instanceof DiskShare disk)) {
				share.close();
				throw new SourceException("the share " + shareName + " on " + host + " is not a folder share");
			}
			return new SmbSource(client, connection, disk, folder(basePath));
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(connection);
			client.close();
			if (ex instanceof SourceException source) {
				throw source;
			}
			throw new SourceException("the SMB server " + host + ":" + port + " cannot be reached: " + ex.getMessage(), ex);
		}
	}

	/** The base path as smbj names folders: backslashes, no leading one, a trailing one unless empty. */
	static String folder(@Nullable String basePath) {
		if (basePath == null) {
			return "";
		}
		String folder = basePath.replace('/', '\\');
		while (folder.startsWith("\\")) {
			folder = folder.substring(1);
		}
		while (folder.endsWith("\\")) {
			folder = folder.substring(0, folder.length() - 1);
		}
		return folder.isEmpty() ? "" : folder + "\\";
	}

	@Override
	public List<Found> list() throws IOException {
		List<Found> found = new ArrayList<>();
		try {
			walk(this.base, "", found, 0);
		}
		catch (SMBApiException ex) {
			throw new SourceException("listing the share failed (" + ex.getStatus() + ")", ex);
		}
		return found;
	}

	private void walk(String directory, String prefix, List<Found> found, int depth) {
		if (depth > 32) {
			return;
		}
		String listed = directory.isEmpty() ? "" : directory.substring(0, directory.length() - 1);
		for (FileIdBothDirectoryInformation entry : this.share.list(listed)) {
			String name = entry.getFileName();
			if (".".equals(name) || "..".equals(name)) {
				continue;
			}
			long attributes = entry.getFileAttributes();
			if (EnumWithValue.EnumUtils.isSet(attributes, FileAttributes.FILE_ATTRIBUTE_REPARSE_POINT)) {
				continue;
			}
			if (EnumWithValue.EnumUtils.isSet(attributes, FileAttributes.FILE_ATTRIBUTE_DIRECTORY)) {
				walk(directory + name + "\\", prefix + name + "/", found, depth + 1);
			}
			else {
				found.add(new Found(prefix + name, entry.getEndOfFile(),
						Instant.ofEpochMilli(entry.getLastWriteTime().toEpochMillis())));
			}
		}
	}

	@Override
	public InputStream open(String path) throws IOException {
		if (path.startsWith("/") || path.contains("../") || path.equals("..") || path.contains("\\")) {
			throw new SourceException("the path " + path + " leaves the source directory");
		}
		File file;
		try {
			file = this.share.openFile(this.base + path.replace('/', '\\'), EnumSet.of(AccessMask.GENERIC_READ), null,
					EnumSet.of(SMB2ShareAccess.FILE_SHARE_READ, SMB2ShareAccess.FILE_SHARE_WRITE),
					SMB2CreateDisposition.FILE_OPEN, null);
		}
		catch (SMBApiException ex) {
			if (ex.getStatus() == NtStatus.STATUS_OBJECT_NAME_NOT_FOUND
					|| ex.getStatus() == NtStatus.STATUS_OBJECT_PATH_NOT_FOUND) {
				throw new NoSuchFileException(path);
			}
			throw new SourceException("opening " + path + " on the share failed (" + ex.getStatus() + ")", ex);
		}
		return new FilterInputStream(file.getInputStream()) {
			@Override
			public void close() throws IOException {
				try {
					super.close();
				}
				finally {
					file.close();
				}
			}
		};
	}

	@Override
	public void close() throws IOException {
		try {
			this.share.close();
		}
		finally {
			closeQuietly(this.connection);
			this.client.close();
		}
	}

	private static void closeQuietly(@Nullable Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (IOException | RuntimeException ex) {
				// Closing anyway.
			}
		}
	}

}
