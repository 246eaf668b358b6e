import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarFile;

/**
 * Starts COUNT processes of {@code /bin/sh -c true} on four threads, reading their output and
 * waiting for each, after opening OPEN jar files (as a JVM with a class path of jars holds them);
 * prints the best of four rounds in seconds. Run by {@code bench/spawn-cost/run}.
 */
public class SpawnCost {

	public static void main(String[] args) throws Exception {
		int open = Integer.parseInt(args[0]);
		int count = Integer.parseInt(args[1]);
		File[] jars = new File(args[2]).listFiles((dir, name) -> name.endsWith(".jar"));
		List<JarFile> held = new ArrayList<>();
		for (int i = 0; i < Math.min(open, jars.length); i++) {
			held.add(new JarFile(jars[i]));
		}
		double best = Double.MAX_VALUE;
		for (int round = 0; round < 4; round++) {
			ExecutorService threads = Executors.newFixedThreadPool(4);
			long start = System.nanoTime();
			List<Future<?>> started = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				started.add(threads.submit(() -> {
					Process process = new ProcessBuilder("/bin/sh", "-c", "true").start();
					process.getOutputStream().close();
					process.getInputStream().readAllBytes();
					process.getErrorStream().readAllBytes();
					return process.waitFor();
				}));
			}
			for (Future<?> one : started) {
				one.get();
			}
			threads.shutdown();
			best = Math.min(best, (System.nanoTime() - start) / 1e9);
		}
		System.out.printf("%d %.3f%n", new File("/proc/self/fd").list().length, best);
	}

}
