package org.sciport.standalone;

import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator and an API user look at, on the packaged suite: the API page and the
 * documents behind it ({@code /docs} opened in Debian's headless Chromium lists every service's
 * operations and runs one; every documented operation, sent a malformed request, answers
 * without a server error), and the Grafana dashboard, whose every query names metrics the
 * services expose.
 */
class OperatorSurfacesE2eTests {

	private static final Duration READY = Duration.ofSeconds(180);

	private static final String ADMIN_PASSWORD = "the administrator's long password";

	private static final String CHROMIUM = System.getProperty("sciport.test.chromium", "/usr/bin/chromium");

	private static final String CHROMEDRIVER = System.getProperty("sciport.test.chromedriver", "/usr/bin/chromedriver");

	private static final List<String> SERVICES = List.of("gateway", "auth-service", "upload-service", "dataset-service",
			"harvest-service", "workflow-service");

	@TempDir
	static Path temporary;

	private static SuiteProcess suite;

	private static int port;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	@BeforeAll
	static void startSuite() {
		port = SuiteProcess.freePort();
		suite = SuiteProcess.start(temporary.resolve("data"),
				Map.of("SCIPORT_HTTP_PORT", String.valueOf(port), "SCIPORT_ADMIN_PASSWORD", ADMIN_PASSWORD,
					// Hundreds of requests in a few seconds: the malformed ones must reach the services.
					"SCIPORT_GATEWAY_RATELIMIT_ENABLED", "false"),
				Path.of("target", "suite-logs"));
		suite.awaitReady(READY);
	}

	@AfterAll
	static void stopSuite() {
		if (suite != null) {
			suite.close();
		}
	}

	@Test
	void theUnionNamesEveryServiceAndEachServiceDocumentIsServedFromTheGateway() throws Exception {
		JsonNode union = this.json.readTree(get("/openapi.json").body());
		assertThat(union.path("openapi").asString()).isEqualTo("3.1.0");
		assertThat(union.has("x-sciport-unavailable")).isFalse();
		Map<String, List<String>> operations = operationsByService(union);
		assertThat(operations.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
		// The seed surfaces are there, each under the service that answers it.
		assertThat(operations.get("gateway")).contains("GET /v1/status", "GET /health");
		assertThat(operations.get("auth-service")).contains("POST /v1/auth/login", "POST /api/auth/login",
				"POST /auth/jwt/login");
		assertThat(operations.get("upload-service")).contains("POST /api/upload/upload", "POST /v1/data/upload");
		assertThat(operations.get("dataset-service")).contains("GET /v1/datasets", "GET /portal/api/datasets",
				"GET /v1/projects");
		assertThat(operations.get("harvest-service")).contains("GET /api/instruments", "GET /v1/instruments");
		assertThat(operations.get("workflow-service")).contains("POST /v1/resources", "GET /api/projects");
		// Bodies are described as they are written: snake_case.
		assertThat(union.path("components").path("schemas").path("Dataset").path("properties").has("created_at"))
			.isTrue();

		for (String service : SERVICES) {
			JsonNode own = this.json.readTree(get("/docs/openapi/" + service + ".json").body());
			assertThat(own.path("servers").path(0).path("url").asString()).as(service).isEqualTo("/");
			assertThat(own.path("paths").size()).as(service).isEqualTo(operationsPaths(union, service));
		}
		HttpResponse<String> unknown = get("/docs/openapi/nothing.json");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(this.json.readTree(unknown.body()).path("error").path("message").asString()).contains("auth-service");
	}

	@Test
	void theApiPageListsEveryOperationAndTriesOneOut() throws Exception {
		Map<String, List<String>> documented = operationsByService(this.json.readTree(get("/openapi.json").body()));
		WebDriver browser = chromium();
		try {
			browser.get("http://127.0.0.1:" + port + "/docs");
			WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
			wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("h3.opblock-tag")));
			// Swagger UI renders only what is near the viewport: read the page while scrolling it through.
			Map<String, List<String>> shown = new TreeMap<>();
			JavascriptExecutor page = (JavascriptExecutor) browser;
			boolean bottom = false;
			while (!bottom) {
				List<?> visible = (List<?>) page.executeScript("return Array.from(document.querySelectorAll('.opblock'))"
						+ ".map(o => [o.id, o.querySelector('.opblock-summary-method').textContent,"
						+ " o.querySelector('.opblock-summary-path').getAttribute('data-path')]);");
				for (Object entry : visible) {
					List<?> op = (List<?>) entry;
					String service = SERVICES.stream()
						.filter((name) -> op.get(0).toString().startsWith("operations-" + name + "-"))
						.findFirst()
						.orElse(op.get(0).toString());
					List<String> listed = shown.computeIfAbsent(service, (name) -> new ArrayList<>());
					String operation = op.get(1) + " " + op.get(2);
					if (!listed.contains(operation)) {
						listed.add(operation);
					}
				}
				bottom = (Boolean) page.executeScript("const before = window.scrollY; window.scrollBy(0, window.innerHeight / 2);"
						+ " return window.scrollY === before;");
				rendered(page);
			}
			assertThat(shown.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
			for (String service : SERVICES) {
				assertThat(shown.get(service)).as(service).containsExactlyInAnyOrderElementsOf(documented.get(service));
			}

			// Try it out: GET /v1/status, run from the page against the gateway that served it.
			page.executeScript("window.scrollTo(0, 0);");
			WebElement status = null;
			while (status == null) {
				List<WebElement> found = browser.findElements(By.xpath("//div[contains(@class,'opblock ')][.//*[@data-path='/v1/status']]"));
				if (!found.isEmpty()) {
					status = found.get(0);
				}
				else {
					assertThat((Boolean) page.executeScript("const before = window.scrollY; window.scrollBy(0, window.innerHeight / 2);"
							+ " return window.scrollY === before;")).as("GET /v1/status is on the page").isFalse();
					rendered(page);
				}
			}
			page.executeScript("arguments[0].scrollIntoView({block: 'start'});", status);
			status.findElement(By.cssSelector(".opblock-summary-control")).click();
			wait.until(ExpectedConditions.elementToBeClickable(status.findElement(By.cssSelector(".try-out__btn")))).click();
			wait.until(ExpectedConditions.elementToBeClickable(status.findElement(By.cssSelector(".execute")))).click();
			WebElement answered = wait.until(ExpectedConditions.presenceOfNestedElementLocatedBy(status,
					By.cssSelector(".live-responses-table tr.response .response-col_status")));
			assertThat(answered.getText().trim()).isEqualTo("200");
			assertThat(status.findElement(By.cssSelector(".live-responses-table tr.response .response-col_description")).getText())
				.contains("operational");

			// The page works within its content security policy: nothing refused, nothing failed.
			List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
				.filter((entry) -> entry.getLevel().intValue() >= Level.WARNING.intValue())
				.map(LogEntry::getMessage)
				.toList();
			assertThat(problems).isEmpty();
		}
		finally {
			browser.quit();
		}
	}

	@Test
	void everyDocumentedOperationAnswersAMalformedRequestWithoutAServerError() throws Exception {
		JsonNode union = this.json.readTree(get("/openapi.json").body());
		Session user = new Session("malformed@example.org", "a long enough password", true);
		Session admin = new Session("admin@sciport.local", ADMIN_PASSWORD, false);
		List<String> failures = new ArrayList<>();
		int sent = 0;
		for (Session session : List.of(user, admin)) {
			for (Map.Entry<String, JsonNode> path : union.path("paths").properties()) {
				for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
					if (!operation.getValue().has("responses")) {
						continue;
					}
					String method = operation.getKey().toUpperCase(java.util.Locale.ROOT);
					String uri = malformedUri(path.getKey(), operation.getValue());
					HttpResponse<String> answer = malformed(method, uri, operation.getValue(), session.token());
					if (answer.statusCode() == 401 && !uri.startsWith("/v1/auth") && !uri.startsWith("/auth")) {
						// An earlier request may have ended this session (a logout): once more, signed in afresh.
						answer = malformed(method, uri, operation.getValue(), session.renew());
					}
					sent++;
					String what = session.email + " " + method + " " + uri + " -> " + answer.statusCode() + " "
							+ answer.body().substring(0, Math.min(300, answer.body().length()));
					if (answer.statusCode() >= 500) {
						failures.add(what);
					}
					else if (answer.body().contains("Exception") || answer.body().contains("\tat ")) {
						failures.add("internals shown: " + what);
					}
				}
			}
		}
		assertThat(sent).isGreaterThan(2 * 100);
		assertThat(failures).isEmpty();
	}

	@Test
	void theDashboardAsksOnlyForMetricsTheSuiteExposes() throws Exception {
		get("/v1/status");
		java.util.Set<String> exposed = new java.util.TreeSet<>();
		java.util.Properties runtime = suite.runtime();
		for (String name : runtime.stringPropertyNames()) {
			if (name.startsWith("service.") || name.equals("gateway.management.url")) {
				String metrics = this.http.send(HttpRequest.newBuilder(URI.create(runtime.getProperty(name) + "/actuator/prometheus"))
					.build(), HttpResponse.BodyHandlers.ofString()).body();
				metrics.lines()
					.filter((line) -> !line.startsWith("#") && !line.isBlank())
					.map((line) -> line.split("[{ ]", 2)[0])
					.forEach(exposed::add);
			}
		}
		JsonNode dashboard = this.json.readTree(Path.of("../helm/sciport/dashboards/sciport.json").toFile());
		List<String> asked = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				asked.addAll(metricNames(target.path("expr").asString()));
			}
		}
		assertThat(asked).as("the dashboard's queries").isNotEmpty();
		assertThat(asked).as("metrics the dashboard asks for, against those exposed").allMatch(exposed::contains);
		// What the issue names is there: per-route requests, Kafka lag, outbox, queues, upload bytes.
		assertThat(asked).contains("http_server_requests_seconds_bucket", "kafka_consumer_fetch_manager_records_lag_max",
				"sciport_outbox_backlog", "sciport_queue_depth", "sciport_upload_bytes_total");
	}

	/** The metric names in a PromQL expression: identifiers that are not functions, keywords or labels. */
	static List<String> metricNames(String expression) {
		String withoutStrings = expression.replaceAll("\"[^\"]*\"", "\"\"")
			.replaceAll("\\{[^}]*}", "")
			.replaceAll("\\[[^]]*]", "")
			.replaceAll("(by|without) \\([^)]*\\)", "");
		List<String> names = new ArrayList<>();
		java.util.regex.Matcher identifiers = java.util.regex.Pattern.compile("(?<![\\w:.])[a-zA-Z_:][\\w:]*+(?!\\s*\\()")
			.matcher(withoutStrings);
		while (identifiers.find()) {
			String name = identifiers.group();
			if (!java.util.Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
					"offset", "bool").contains(name)) {
				names.add(name);
			}
		}
		return names;
	}

	/** The operation's path with every path parameter and query parameter given a wrong value. */
	private static String malformedUri(String template, JsonNode operation) {
		String path = template.replaceAll("\\{[^}]+}", "not-an-id");
		StringBuilder query = new StringBuilder();
		for (JsonNode parameter : operation.path("parameters")) {
			if (!"query".equals(parameter.path("in").asString())) {
				continue;
			}
			String type = parameter.path("schema").path("type").asString("string");
			String value = switch (type) {
				case "integer", "number" -> "1e999x";
				case "boolean" -> "perhaps";
				case "array" -> "%00";
				default -> "-1";
			};
			query.append(query.isEmpty() ? '?' : '&')
				.append(URLEncoder.encode(parameter.path("name").asString(), StandardCharsets.UTF_8))
				.append('=')
				.append(value);
		}
		return path + query;
	}

	/** Sends the operation a body its declared media type cannot parse. */
	private HttpResponse<String> malformed(String method, String uri, JsonNode operation, String token) throws Exception {
		JsonNode content = operation.path("requestBody").path("content");
		String mediaType = content.propertyNames().stream().findFirst().orElse(null);
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + token);
		if (mediaType == null) {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		else {
			String type = mediaType.startsWith("multipart/") ? "multipart/form-data" : mediaType;
			String body = switch (type) {
				case "application/json" -> "{\"name\": [\"unterminated";
				case "application/x-www-form-urlencoded" -> "name=%ZZ&=";
				case "multipart/form-data" -> "--no-boundary-given\r\nContent-Disposition: form-data\r\n";
				case "application/yaml", "application/x-yaml" -> "name: [unterminated\n  : :";
				default -> "\u0000\u00ff not what was declared";
			};
			request.header("Content-Type", "*/*".equals(type) ? "application/json" : type)
				.method(method, HttpRequest.BodyPublishers.ofString(body));
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A caller signed in with a password; a user is registered on first use. */
	private final class Session {

		private final String email;

		private final String password;

		private final boolean register;

		private String token;

		Session(String email, String password, boolean register) {
			this.email = email;
			this.password = password;
			this.register = register;
		}

		String token() throws Exception {
			return (this.token != null) ? this.token : renew();
		}

		String renew() throws Exception {
			String credentials = "{\"email\":\"" + this.email + "\",\"password\":\"" + this.password + "\"}";
			if (this.register) {
				post("/v1/auth/register", credentials);
			}
			HttpResponse<String> login = post("/v1/auth/login", credentials);
			assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
			this.token = OperatorSurfacesE2eTests.this.json.readTree(login.body()).path("access_token").asString();
			return this.token;
		}

	}

	private static Map<String, List<String>> operationsByService(JsonNode document) {
		Map<String, List<String>> operations = new TreeMap<>();
		for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
			for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
				if (operation.getValue().has("responses")) {
					operations.computeIfAbsent(operation.getValue().path("tags").path(0).asString(), (tag) -> new ArrayList<>())
						.add(operation.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
				}
			}
		}
		return operations;
	}

	private static long operationsPaths(JsonNode document, String service) {
		return document.path("paths").properties().stream()
			.filter((path) -> path.getValue().properties().stream()
				.anyMatch((operation) -> service.equals(operation.getValue().path("tags").path(0).asString())))
			.count();
	}

	/** Returns once the page has drawn two frames since the last scroll: what the scroll shows is in the DOM. */
	private static void rendered(JavascriptExecutor page) {
		page.executeAsyncScript("const done = arguments[arguments.length - 1];"
				+ " requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));");
	}

	private static WebDriver chromium() throws Exception {
		assertThat(new File(CHROMIUM).canExecute()).as("Debian's chromium (installed by .ci/run)").isTrue();
		assertThat(new File(CHROMEDRIVER).canExecute()).as("Debian's chromium-driver (installed by .ci/run)").isTrue();
		Path profile = Files.createTempDirectory(temporary, "chromium-");
		ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
			.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
					"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
					"--disable-quic", "--user-data-dir=" + profile, "--window-size=1400,1000");
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
