package org.sciport.standalone;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalogue of bad input, sent to the whole suite through the gateway: every request is a
 * 4xx in its surface's error shape (never a 5xx, never a stack trace), and nothing it carried
 * was written. It grows with every endpoint: add the endpoint's bad requests to
 * {@link #catalogue}.
 */
class BadInputE2eTests {

	private static final Duration READY = Duration.ofSeconds(180);

	private static final String NUL = "\\u0000";

	/** The instrument harvester's paths, whose errors are FastAPI's {@code {"detail": ...}}. */
	private static final java.util.regex.Pattern HARVESTER = java.util.regex.Pattern
		.compile("/api/(instruments|storage-locations|service-accounts|schedules|hooks|files|transfers|harvest-runs)");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	@TempDir
	Path temporary;

	/** One bad request and the status it must get. */
	private record Bad(String method, String path, String contentType, String body, int status) {
	}

	private static List<Bad> catalogue(String dataset, String project) {
		String json = "application/json";
		String form = "application/x-www-form-urlencoded";
		List<Bad> bad = new ArrayList<>();
		// NUL characters, wherever text reaches the database.
		bad.add(new Bad("POST", "/v1/auth/login", json, "{\"email\":\"a" + NUL + "b@example.org\",\"password\":\"x\"}", 400));
		bad.add(new Bad("POST", "/api/auth/login", json, "{\"email\":\"a" + NUL + "b@example.org\",\"password\":\"x\"}", 400));
		bad.add(new Bad("POST", "/auth/jwt/login", form, "username=a%00b@example.org&password=x", 400));
		bad.add(new Bad("POST", "/v1/datasets", json, "{\"name\":\"n\",\"description\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("POST", "/v1/datasets", json, "{\"name\":\"n\",\"tags\":[\"a" + NUL + "b\"]}", 400));
		bad.add(new Bad("POST", "/v1/datasets", json, "{\"name\":\"n\",\"metadata\":{\"k\":\"a" + NUL + "b\"}}", 400));
		bad.add(new Bad("POST", "/v1/datasets", json, "{\"name\":\"n\",\"metadata\":{\"a" + NUL + "\":\"b\"}}", 400));
		bad.add(new Bad("PATCH", "/v1/datasets/" + dataset, json, "{\"description\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("POST", "/v1/projects", json, "{\"name\":\"n\",\"description\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("POST", "/v1/projects", json, "{\"name\":\"n\",\"settings\":{\"k\":\"a" + NUL + "b\"}}", 400));
		bad.add(new Bad("PUT", "/v1/projects/" + project, json, "{\"settings\":{\"k\":\"a" + NUL + "b\"}}", 400));
		bad.add(new Bad("POST", "/v1/folders", json, "{\"name\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("POST", "/v1/teams", json, "{\"name\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("PUT", "/v1/users/me", json, "{\"name\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("POST", "/v1/tokens", json, "{\"name\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("POST", "/portal/api/update-dataset", json,
				"{\"dataset_id\":\"" + dataset + "\",\"description\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("POST", "/portal/api/create-team", json, "{\"name\":\"a" + NUL + "b\"}", 400));
		bad.add(new Bad("GET", "/v1/datasets?q=a%00b", null, null, 400));
		bad.add(new Bad("GET", "/v1/datasets?tag=a%00b", null, null, 400));
		bad.add(new Bad("GET", "/v1/datasets?cursor=a%00b", null, null, 400));
		bad.add(new Bad("GET", "/portal/api/datasets?folder=a%00b", null, null, 400));
		bad.add(new Bad("GET", "/portal/api/dataset-details?dataset_id=%00", null, null, 400));
		bad.add(new Bad("GET", "/v1/projects/%00", null, null, 400));
		bad.add(new Bad("GET", "/v1/datasets/%00", null, null, 400));
		// Values of the wrong type or out of range.
		bad.add(new Bad("POST", "/v1/datasets", json, "{\"name\":\"n\",\"folder_id\":{}}", 400));
		bad.add(new Bad("POST", "/v1/datasets", json, "{\"name\":\"n\",\"folder_id\":[]}", 400));
		bad.add(new Bad("POST", "/v1/datasets", json, "{\"name\":true}", 400));
		bad.add(new Bad("PUT", "/v1/users/me", json, "{\"name\":42}", 400));
		bad.add(new Bad("GET", "/v1/datasets?created_from=%2B300000-01-01T00:00:00Z", null, null, 400));
		bad.add(new Bad("GET", "/v1/datasets?created_from=%2B300000-01-01", null, null, 400));
		bad.add(new Bad("GET", "/v1/analytics/usage?start_date=%2B300000-01-01", null, null, 400));
		bad.add(new Bad("POST", "/auth/jwt/login", form, "username=%zz&password=x", 400));
		bad.add(new Bad("POST", "/api/upload/initiate", json,
				"{\"filename\":\"a.csv\",\"size\":9223372036854775808,\"chunk_size\":1048576,\"dataset_name\":\"d\"}", 400));
		bad.add(new Bad("POST", "/api/upload/initiate", json,
				"{\"filename\":\"a.csv\",\"size\":100,\"chunk_size\":9223372036854775808,\"dataset_name\":\"d\"}", 400));
		bad.add(new Bad("POST", "/api/upload/initiate", json,
				"{\"filename\":\"a.csv\",\"file_size\":9223372036854775808,\"dataset_name\":\"d\"}", 400));
		// The data portal's clients' fields.
		bad.add(new Bad("GET", "/portal/api/datasets?status=finished", null, null, 400));
		bad.add(new Bad("GET", "/portal/api/datasets?team_uuid=team-1", null, null, 400));
		bad.add(new Bad("GET", "/portal/api/public-datasets?limit=1000", null, null, 400));
		bad.add(new Bad("GET", "/api/upload/jobs?offset=-1", null, null, 400));
		bad.add(new Bad("GET", "/api/upload/jobs?status=done-ish", null, null, 400));
		bad.add(new Bad("GET", "/portal/api/dataset-files?dataset_uuid=" + dataset + "&directory=..", null, null, 400));
		bad.add(new Bad("GET", "/portal/api/dataset-file-content?dataset_uuid=x&file_path=a", null, null, 400));
		bad.add(new Bad("GET", "/portal/api/dataset-file-content?dataset_uuid=" + dataset, null, null, 400));
		bad.add(new Bad("POST", "/portal/api/update-dataset", json,
				"{\"dataset_uuid\":\"" + dataset + "\",\"is_public\":\"maybe\"}", 400));
		bad.add(new Bad("POST", "/portal/api/update-dataset", json,
				"{\"dataset_uuid\":\"" + dataset + "\",\"folder\":\"a/b\"}", 400));
		bad.add(new Bad("POST", "/portal/api/update-dataset", json,
				"{\"dataset_uuid\":\"" + dataset + "\",\"folder\":\"x\",\"folder_uuid\":\"" + dataset + "\"}", 400));
		bad.add(new Bad("POST", "/portal/api/share-dataset", json,
				"{\"dataset_uuid\":\"" + dataset + "\",\"user_email\":\"not an address\"}", 400));
		bad.add(new Bad("POST", "/portal/api/share-dataset", json,
				"{\"dataset_uuid\":\"" + dataset + "\",\"user_email\":\"a@example.org\",\"team_name\":\"t\"}", 400));
		bad.add(new Bad("POST", "/portal/api/create-team", json, "{\"team_name\":\"t\",\"emails\":[42]}", 400));
		bad.add(new Bad("POST", "/portal/api/create-team", json, "{\"team_name\":\"t\",\"parents\":[\"p\"]}", 400));
		bad.add(new Bad("POST", "/portal/api/retry-conversion", json, "{\"dataset_uuid\":\"nope\"}", 400));
		bad.add(new Bad("POST", "/api/upload/chunk", json, "{\"upload_id\":\"x\"}", 415));
		// The instrument harvester's records: FastAPI's 422 naming the parameter.
		bad.add(new Bad("GET", "/api/files?instrument_id=nope", null, null, 422));
		bad.add(new Bad("GET", "/api/files?discovered_after=yesterday", null, null, 422));
		bad.add(new Bad("GET", "/api/files?limit=1000", null, null, 422));
		bad.add(new Bad("GET", "/api/files?source_path=a%00b", null, null, 422));
		bad.add(new Bad("GET", "/api/transfers?status=done-ish", null, null, 422));
		bad.add(new Bad("GET", "/api/transfers?file_id=%00", null, null, 422));
		bad.add(new Bad("GET", "/api/harvest-runs?skip=-1", null, null, 422));
		bad.add(new Bad("GET", "/v1/files?instrument_id=nope", null, null, 400));
		bad.add(new Bad("GET", "/ark:/99999/fk4000000b", null, null, 400));
		bad.add(new Bad("GET", "/ark:/99999/x", null, null, 400));
		return bad;
	}

	@Test
	void noClientMistakeIsAServerErrorAndNothingIsWritten() throws Exception {
		int port = SuiteProcess.freePort();
		try (SuiteProcess suite = SuiteProcess.start(this.temporary.resolve("data"),
				Map.of("SCIPORT_HTTP_PORT", String.valueOf(port)), Path.of("target", "suite-logs"))) {
			suite.awaitReady(READY);
			send(port, "POST", "/v1/auth/register", "application/json",
					"{\"email\":\"bad@example.org\",\"password\":\"a long enough password\"}", null);
			String token = this.json.readTree(send(port, "POST", "/v1/auth/login", "application/json",
					"{\"email\":\"bad@example.org\",\"password\":\"a long enough password\"}", null).body())
				.path("access_token").asString();
			String dataset = id(send(port, "POST", "/v1/datasets", "application/json", "{\"name\":\"kept\"}", token));
			String project = id(send(port, "POST", "/v1/projects", "application/json", "{\"name\":\"kept\"}", token));
			Map<String, Long> before = totals(port, token);

			List<String> failures = new ArrayList<>();
			for (Bad bad : catalogue(dataset, project)) {
				HttpResponse<String> answer = send(port, bad.method(), bad.path(), bad.contentType(), bad.body(), token);
				String what = bad.method() + " " + bad.path() + " " + bad.body() + " -> " + answer.statusCode() + " "
						+ answer.body();
				if (answer.statusCode() != bad.status()) {
					failures.add(what);
				}
				else if (!inItsShape(bad.path(), answer.body())) {
					failures.add("not in its surface's error shape: " + what);
				}
				if (answer.body().contains("Exception") || answer.body().contains("\tat ")) {
					failures.add("internals shown: " + what);
				}
			}
			assertThat(failures).isEmpty();
			assertThat(totals(port, token)).as("nothing the bad requests carried was written").isEqualTo(before);
			assertThat(this.json.readTree(send(port, "GET", "/v1/datasets/" + dataset, null, null, token).body())
				.path("description").asString("")).doesNotContain("\u0000");

			// upload-service refuses a multipart body early (101 parts) and answers the next
			// request on the same connection.
			URI upload = URI.create(suite.runtime().getProperty("service.upload.url"));
			assertThat(refusedThenAnsweredOnOneConnection(upload, token)).isEqualTo("400 then 200");
		}
	}

	private boolean inItsShape(String path, String body) {
		JsonNode error = this.json.readTree(body);
		if (HARVESTER.matcher(path).lookingAt()) {
			return error.path("detail").isString() || (error.path("detail").isArray()
					&& error.path("detail").path(0).path("loc").isArray() && error.path("detail").path(0).path("msg").isString());
		}
		if (path.startsWith("/portal/api/") || path.startsWith("/api/")) {
			return !error.path("success").asBoolean(true) && error.path("code").isString();
		}
		if (path.startsWith("/auth/")) {
			return error.has("detail") || error.path("error").path("code").isString();
		}
		return error.path("error").path("code").isString();
	}

	private Map<String, Long> totals(int port, String token) throws Exception {
		return Map.of("datasets", total(port, "/v1/datasets", token), "projects", total(port, "/v1/projects", token),
				"teams", (long) this.json.readTree(send(port, "GET", "/v1/teams", null, null, token).body())
					.path("data").size(),
				"folders", (long) this.json.readTree(send(port, "GET", "/v1/folders", null, null, token).body())
					.path("data").size(),
				"tokens", total(port, "/v1/tokens", token));
	}

	private long total(int port, String path, String token) throws Exception {
		return this.json.readTree(send(port, "GET", path, null, null, token).body()).path("pagination").path("total")
			.asLong(-1);
	}

	private String id(HttpResponse<String> created) {
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return this.json.readTree(created.body()).path("id").asString();
	}

	private HttpResponse<String> send(int port, String method, String path, String contentType, String body,
			String token) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
					: HttpRequest.BodyPublishers.noBody());
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** Two requests on one keep-alive connection: a refused multipart body, then a plain GET. */
	private static String refusedThenAnsweredOnOneConnection(URI service, String token) throws Exception {
		StringBuilder parts = new StringBuilder();
		for (int i = 0; i < 101; i++) {
			parts.append("--XX\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nv\r\n");
		}
		parts.append("--XX--\r\n");
		byte[] body = parts.toString().getBytes(StandardCharsets.US_ASCII);
		try (Socket socket = new Socket(service.getHost(), service.getPort())) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			out.write(("POST /api/upload/upload HTTP/1.1\r\nHost: sciport\r\nAuthorization: Bearer " + token
					+ "\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: " + body.length + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.write(body);
			out.flush();
			int first = readResponse(in);
			out.write(("GET /api/upload/jobs HTTP/1.1\r\nHost: sciport\r\nAuthorization: Bearer " + token + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			int second = readResponse(in);
			return first + " then " + second;
		}
	}

	/** Reads one response with a Content-Length or chunked body; its status. */
	private static int readResponse(InputStream in) throws Exception {
		String head = readLine(in);
		int status = Integer.parseInt(head.split(" ")[1]);
		long length = -1;
		boolean chunked = false;
		for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
			String lower = line.toLowerCase(java.util.Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Long.parseLong(lower.substring(15).trim());
			}
			if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
		}
		if (chunked) {
			for (long size = Long.parseLong(readLine(in).trim(), 16); size > 0; size = Long.parseLong(readLine(in).trim(), 16)) {
				in.readNBytes((int) size);
				readLine(in);
			}
			readLine(in);
		}
		else if (length > 0) {
			in.readNBytes((int) length);
		}
		return status;
	}

	private static String readLine(InputStream in) throws Exception {
		StringBuilder line = new StringBuilder();
		for (int c = in.read(); c != '\n'; c = in.read()) {
			if (c < 0) {
				throw new java.io.EOFException("The connection was closed");
			}
			if (c != '\r') {
				line.append((char) c);
			}
		}
		return line.toString();
	}

}
