package org.sciport.workflow.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The fork server, started and spoken to as workflow-service does, running real processes. */
class TaskLauncherTests {

	private static final Duration MINUTE = Duration.ofMinutes(1);

	private final TaskLauncher launcher = new TaskLauncher();

	@TempDir
	Path directory;

	@AfterEach
	void stop() {
		this.launcher.destroy();
	}

	@Test
	void aProcessesLinesArriveWithTheirStreamAndItsExitCodeLast() throws IOException {
		List<String> lines = new ArrayList<>();
		TaskLauncher.Ending ending = sh("echo one; echo two >&2; printf 'three\\r\\nfour'; exit 3")
			.follow(MINUTE, (level, line) -> lines.add(level + " " + line));
		assertThat(ending).isEqualTo(new TaskLauncher.Ending(3, TaskLauncher.Ending.Kind.EXITED, null));
		assertThat(lines).containsExactlyInAnyOrder("INFO one", "ERROR two", "INFO three", "INFO four");
		assertThat(lines.stream().filter((line) -> line.startsWith("INFO"))).containsExactly("INFO one", "INFO three",
				"INFO four");
	}

	@Test
	void aProcessGetsExactlyTheEnvironmentAndDirectoryItIsGivenAndNoOpenFilesButItsOwn() throws IOException {
		List<String> lines = new ArrayList<>();
		TaskLauncher.Ending ending = this.launcher
			.launch(List.of("/bin/sh", "-c", "env; echo \"in $(pwd)\"; ls /proc/self/fd | tr '\\n' ' '"), this.directory,
					Map.of("PATH", "/usr/bin:/bin", "GREETING", "hello world"))
			.follow(MINUTE, (level, line) -> lines.add(line));
		assertThat(ending.exitCode()).isZero();
		// A shell may add PWD, SHLVL and _ itself; nothing of this JVM's own environment arrives.
		assertThat(lines.stream().filter((line) -> line.contains("=")).map((line) -> line.substring(0, line.indexOf('=')))
			.filter((name) -> !List.of("PWD", "SHLVL", "_").contains(name))).containsExactlyInAnyOrder("PATH", "GREETING");
		assertThat(lines).contains("GREETING=hello world", "in " + this.directory.toRealPath());
		// Standard input, output and error, and the descriptor ls reads the directory with.
		assertThat(lines.get(lines.size() - 1).trim().split(" ")).containsExactly("0", "1", "2", "3");
	}

	@Test
	void aCommandThatCannotBeStartedSaysWhy() throws IOException {
		TaskLauncher.Ending ending = this.launcher
			.launch(List.of(this.directory.resolve("missing").toString()), this.directory, Map.of())
			.follow(MINUTE, (level, line) -> {
			});
		assertThat(ending.kind()).isEqualTo(TaskLauncher.Ending.Kind.NOT_STARTED);
		assertThat(ending.reason()).contains("No such file or directory");
	}

	@Test
	void aProcessOutOfTimeIsStoppedWithWhatItStarted() throws IOException {
		List<String> lines = Collections.synchronizedList(new ArrayList<>());
		TaskLauncher.Ending ending = sh("sleep 120 & echo $!; wait").follow(Duration.ofSeconds(2),
				(level, line) -> lines.add(line));
		assertThat(ending.kind()).isEqualTo(TaskLauncher.Ending.Kind.TIMED_OUT);
		assertThat(ending.exitCode()).isNull();
		long sleeper = Long.parseLong(lines.get(0));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> ProcessHandle.of(sleeper).map((handle) -> !handle.isAlive()).orElse(true));
	}

	@Test
	void aStoppedProcessEndsKilled() throws Exception {
		TaskLauncher.Launched launched = sh("echo started; sleep 120");
		List<String> lines = Collections.synchronizedList(new ArrayList<>());
		CompletableFuture<TaskLauncher.Ending> ending = CompletableFuture
			.supplyAsync(() -> launched.follow(MINUTE, (level, line) -> lines.add(line)));
		await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("started"));
		launched.stop();
		assertThat(ending.get(20, TimeUnit.SECONDS)).isEqualTo(new TaskLauncher.Ending(137, TaskLauncher.Ending.Kind.EXITED, null));
	}

	@Test
	void anInterruptedFollowerStopsItsProcessAndKeepsItsInterrupt() throws Exception {
		TaskLauncher.Launched launched = sh("echo $$; sleep 120");
		List<String> lines = Collections.synchronizedList(new ArrayList<>());
		java.util.concurrent.atomic.AtomicReference<TaskLauncher.Ending> ending = new java.util.concurrent.atomic.AtomicReference<>();
		java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
		Thread follower = new Thread(() -> {
			ending.set(launched.follow(MINUTE, (level, line) -> lines.add(line)));
			interrupted.set(Thread.currentThread().isInterrupted());
		});
		follower.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> !lines.isEmpty());
		long shell = Long.parseLong(lines.get(0));
		follower.interrupt();
		follower.join(20_000);
		assertThat(ending.get()).isEqualTo(new TaskLauncher.Ending(null, TaskLauncher.Ending.Kind.INTERRUPTED, null));
		assertThat(interrupted).isTrue();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> ProcessHandle.of(shell).map((handle) -> !handle.isAlive()).orElse(true));
	}

	@Test
	void aLongLineArrivesInPartsAndManyProcessesAtOnceKeepTheirOwnLines() throws Exception {
		List<Integer> parts = new ArrayList<>();
		sh("head -c 40000 /dev/zero | tr '\\0' a").follow(MINUTE, (level, line) -> parts.add(line.length()));
		assertThat(this.launcher.serverProcess()).isPresent();
		assertThat(parts).containsExactly(ForkServer.LONGEST_LINE, ForkServer.LONGEST_LINE,
				40000 - 2 * ForkServer.LONGEST_LINE);

		List<TaskLauncher.Launched> launched = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			launched.add(sh("for n in 1 2 3; do echo " + i + "-$n; done; exit " + (i % 7)));
		}
		for (int i = 0; i < launched.size(); i++) {
			List<String> lines = new ArrayList<>();
			TaskLauncher.Ending ending = launched.get(i).follow(MINUTE, (level, line) -> lines.add(line));
			assertThat(ending.exitCode()).isEqualTo(i % 7);
			assertThat(lines).containsExactly(i + "-1", i + "-2", i + "-3");
		}
	}

	@Test
	void whenTheForkServerDiesItsProcessesAreLostAndTheNextLaunchStartsAnother() throws Exception {
		TaskLauncher.Launched launched = sh("sleep 120");
		ProcessHandle server = this.launcher.serverProcess().orElseThrow();
		server.destroyForcibly();
		assertThat(launched.follow(MINUTE, (level, line) -> {
		}).kind()).isEqualTo(TaskLauncher.Ending.Kind.LOST);
		List<String> lines = new ArrayList<>();
		assertThat(sh("echo again").follow(MINUTE, (level, line) -> lines.add(line)).exitCode()).isZero();
		assertThat(lines).containsExactly("again");
	}

	@Test
	void stoppingTheLauncherStopsTheServerAndEveryProcessItStarted() throws Exception {
		List<String> lines = Collections.synchronizedList(new ArrayList<>());
		TaskLauncher.Launched launched = sh("echo $$; sleep 120");
		CompletableFuture<TaskLauncher.Ending> ending = CompletableFuture
			.supplyAsync(() -> launched.follow(MINUTE, (level, line) -> lines.add(line)));
		await().atMost(Duration.ofSeconds(10)).until(() -> !lines.isEmpty());
		long shell = Long.parseLong(lines.get(0));
		ProcessHandle server = this.launcher.serverProcess().orElseThrow();
		this.launcher.destroy();
		assertThat(ending.get(20, TimeUnit.SECONDS).kind()).isIn(TaskLauncher.Ending.Kind.LOST,
				TaskLauncher.Ending.Kind.EXITED);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> ProcessHandle.of(shell).map((handle) -> !handle.isAlive()).orElse(true));
		await().atMost(Duration.ofSeconds(10)).until(() -> !server.isAlive());
		assertThat(this.launcher.serverProcess()).isEmpty();
		org.assertj.core.api.Assertions.assertThatIOException()
			.isThrownBy(() -> this.launcher.launch(List.of("true"), this.directory, Map.of()));
	}

	private TaskLauncher.Launched sh(String script) throws IOException {
		return this.launcher.launch(List.of("/bin/sh", "-c", script), this.directory, Map.of("PATH", "/usr/bin:/bin"));
	}

}
