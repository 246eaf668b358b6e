package org.sciport.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * Creates databases on a PostgreSQL server (embedded or external) if they do not exist yet.
 */
public final class PostgresDatabases {

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

	private PostgresDatabases() {
	}

	/**
	 * Connects with {@code adminJdbcUrl} (any existing database, typically {@code postgres})
	 * and creates {@code database} unless it exists. Returns whether it was created.
	 */
	public static boolean createIfMissing(String adminJdbcUrl, String username, String password, String database)
			throws SQLException {
		if (!NAME.matcher(database).matches()) {
			throw new IllegalArgumentException("Invalid database name: " + database);
		}
		try (Connection connection = DriverManager.getConnection(adminJdbcUrl, username, password)) {
			try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
				exists.setString(1, database);
				try (ResultSet result = exists.executeQuery()) {
					if (result.next()) {
						return false;
					}
				}
			}
			try (Statement create = connection.createStatement()) {
				create.execute("CREATE DATABASE " + database);
				return true;
			}
			catch (SQLException ex) {
				// Another process created it between the check and the create.
				if ("42P04".equals(ex.getSQLState())) {
					return false;
				}
				throw ex;
			}
		}
	}

	/**
	 * The URL of another database on the same server as {@code jdbcUrl}.
	 */
	public static String withDatabase(String jdbcUrl, String database) {
		int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
		int query = jdbcUrl.indexOf('?');
		String base = (slash < 0) ? jdbcUrl : jdbcUrl.substring(0, slash);
		return base + "/" + database + ((query < 0) ? "" : jdbcUrl.substring(query));
	}

}
