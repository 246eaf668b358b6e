package org.sciport.workflow.stacks;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import io.fabric8.kubernetes.client.dsl.LogWatch;
import org.jspecify.annotations.Nullable;

/**
 * A running pod's log followed as it is written ({@code follow=true}): each complete line goes to
 * the run's log at once, so a client following the run sees a container task's output while it
 * runs, not when it ends. The stream ends when the container does.
 */
final class PodLogStream extends OutputStream {

	/** A line longer than this is passed on in pieces. */
	private static final int MAX_LINE = 64 * 1024;

	private final BiConsumer<String, String> log;

	private final ByteArrayOutputStream line = new ByteArrayOutputStream();

	private final AtomicBoolean wrote = new AtomicBoolean();

	private volatile @Nullable LogWatch watch;

	PodLogStream(BiConsumer<String, String> log) {
		this.log = log;
	}

	void watching(LogWatch watch) {
		this.watch = watch;
	}

	/** Whether any line came through: the log is then the run's already. */
	boolean streamed() {
		return this.wrote.get();
	}

	@Override
	public synchronized void write(int b) {
		if (b == '\n') {
			emit();
		}
		else {
			this.line.write(b);
			if (this.line.size() >= MAX_LINE) {
				emit();
			}
		}
	}

	@Override
	public synchronized void write(byte[] bytes, int offset, int length) {
		for (int i = offset; i < offset + length; i++) {
			write(bytes[i]);
		}
	}

	private void emit() {
		String text = this.line.toString(StandardCharsets.UTF_8);
		this.line.reset();
		if (text.endsWith("\r")) {
			text = text.substring(0, text.length() - 1);
		}
		this.wrote.set(true);
		this.log.accept("INFO", text);
	}

	/**
	 * Waits a little for the stream to end on its own (the container has ended, the last lines
	 * may still be on their way), then stops it and passes on an unfinished last line.
	 */
	void finish() {
		LogWatch current = this.watch;
		if (current != null) {
			try {
				current.onClose().toCompletableFuture().get(5, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				// ended otherwise: closed below
			}
			current.close();
		}
		synchronized (this) {
			if (this.line.size() > 0) {
				emit();
			}
		}
	}

	/** Stops following without waiting (the task was cancelled or ran out of time). */
	void stop() {
		LogWatch current = this.watch;
		if (current != null) {
			current.close();
		}
	}

}
