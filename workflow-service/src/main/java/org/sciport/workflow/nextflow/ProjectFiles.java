package org.sciport.workflow.nextflow;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.NotFoundException;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.sciport.workflow.WorkflowProperties;
import org.sciport.commons.storage.ChannelWriter;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A project's file area: {@code <projects-directory>/<id>/}, and nothing outside it. A path a
 * client gives is relative, of segments that are names: an absolute path, a backslash, a control
 * character, an empty segment ({@code a//b}), or a segment of dots only ({@code ..},
 * {@code ....}) is a 400, whatever it would have meant; the path is then walked from the
 * project's directory, and a segment that is a symbolic link is a 400 too, never followed, so a
 * link planted in the project (pointing anywhere) leads nowhere. Listings and downloads leave
 * links and other special files out.
 */
@Component
class ProjectFiles {

	private final WorkflowProperties.Nextflow properties;

	ProjectFiles(WorkflowProperties properties) {
		this.properties = properties.nextflow();
	}

	Path root(int project) {
		Path root = this.properties.projectsDirectory().resolve(Integer.toString(project)).toAbsolutePath().normalize();
		try {
			Files.createDirectories(root);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return root;
	}

	/** The path inside the project a client named; its root for an empty one when {@code rootAllowed}. */
	Path resolve(int project, @Nullable String given, String field, boolean rootAllowed) {
		Path root = root(project);
		String relative = (given != null) ? given.strip() : "";
		while (relative.endsWith("/") && relative.length() > 1) {
			relative = relative.substring(0, relative.length() - 1);
		}
		if (relative.isEmpty() || relative.equals("/") || relative.equals(".")) {
			if (!rootAllowed) {
				throw new ValidationException(field, field + " must name a file or folder inside the project");
			}
			return root;
		}
		if (relative.startsWith("/") || relative.contains("\\") || relative.chars().anyMatch((c) -> c < 0x20 || c == 0x7f)) {
			throw new ValidationException(field, field + " must be a relative path inside the project");
		}
		Path current = root;
		for (String segment : relative.split("/", -1)) {
			if (segment.isEmpty() || segment.chars().allMatch((c) -> c == '.') || segment.length() > 255) {
				throw new ValidationException(field, field + " must be a relative path of names inside the project");
			}
			current = current.resolve(segment);
			if (Files.isSymbolicLink(current)) {
				throw new ValidationException(field, field + " runs through a symbolic link; links are not followed");
			}
		}
		if (!current.normalize().startsWith(root)) {
			throw new ValidationException(field, field + " must stay inside the project");
		}
		return current;
	}

	/**
	 * A listing.
	 *
	 * @param folders the folders in it, by name
	 * @param files the files in it, by name
	 */
	record Listing(List<String> folders, List<String> files) {
	}

	Mono<Listing> list(int project, @Nullable String dir) {
		return blocking(() -> {
			Path directory = resolve(project, dir, "dir", true);
			if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
				throw new NotFoundException("No folder " + dir + " in the project");
			}
			List<String> folders = new ArrayList<>();
			List<String> files = new ArrayList<>();
			try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
				for (Path entry : entries) {
					String name = entry.getFileName().toString();
					if (name.startsWith(".sciport-")) {
						continue;
					}
					if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
						folders.add(name);
					}
					else if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
						files.add(name);
					}
				}
			}
			folders.sort(null);
			files.sort(null);
			return new Listing(folders, files);
		});
	}

	/** Stores an upload under {@code directory}, streamed, at most {@code max-upload}; answers its path. */
	Mono<String> upload(int project, @Nullable String directory, String filename, Flux<DataBuffer> content) {
		String name = name(filename);
		return blocking(() -> {
			Path folder = resolve(project, directory, "directory", true);
			Files.createDirectories(folder);
			// Created folders were checked segment by segment: check the result once more.
			resolve(project, root(project).relativize(folder).toString(), "directory", true);
			return folder;
		}).flatMap((folder) -> {
			Path target = folder.resolve(name);
			if (Files.isSymbolicLink(target) || Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
				return Mono.error(new ValidationException("file", "a folder or link named " + name + " is already there"));
			}
			Path partial = folder.resolve(".sciport-upload-" + java.util.UUID.randomUUID());
			AtomicLong size = new AtomicLong();
			long max = this.properties.maxUpload().toBytes();
			Flux<DataBuffer> counted = content.doOnNext((buffer) -> {
				if (size.addAndGet(buffer.readableByteCount()) > max) {
					DataBufferUtils.release(buffer);
					throw new SciportException(ErrorCode.PAYLOAD_TOO_LARGE, "The file is larger than "
							+ this.properties.maxUpload() + " (sciport.workflow.nextflow.max-upload)", "file", null, null);
				}
			});
			// Written by the file worker threads, never on the event loop.
			return ChannelWriter.write(counted, () -> FileChannel.open(partial, StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE))
				.then(blocking(() -> Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING,
						StandardCopyOption.ATOMIC_MOVE)))
				.onErrorResume((ex) -> blocking(() -> Files.deleteIfExists(partial)).then(Mono.error(ex)))
				.thenReturn(root(project).relativize(target).toString());
		});
	}

	/** Deletes the whole file area of a project. */
	Mono<Void> deleteAll(int project) {
		return blocking(() -> {
			Path root = this.properties.projectsDirectory().resolve(Integer.toString(project)).toAbsolutePath().normalize();
			if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
				remove(root);
			}
			return root;
		}).then();
	}

	Mono<Void> delete(int project, @Nullable String path) {
		return blocking(() -> {
			Path target = resolve(project, path, "path", false);
			if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
				throw new NotFoundException("No file or folder " + path + " in the project");
			}
			remove(target);
			return target;
		}).then();
	}

	/** Removes a file, or a folder with everything in it; links inside are removed as links. */
	private static void remove(Path target) throws IOException {
		Files.walkFileTree(target, new SimpleFileVisitor<>() {
			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
				Files.delete(file);
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException ex) throws IOException {
				Files.delete(dir);
				return FileVisitResult.CONTINUE;
			}
		});
	}

	Mono<Void> createFolder(int project, @Nullable String path) {
		return blocking(() -> {
			Path folder = resolve(project, path, "path", false);
			if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
				throw new ValidationException("path", "a file named " + path + " is already there");
			}
			return Files.createDirectories(folder);
		}).then();
	}

	/**
	 * What a download sends.
	 *
	 * @param name the file's name ({@code .zip} added for a folder)
	 * @param folder whether it is a folder, sent as a zip
	 * @param content the bytes
	 */
	record Download(String name, boolean folder, @Nullable Long size, Flux<DataBuffer> content) {
	}

	Mono<Download> download(int project, @Nullable String path) {
		return blocking(() -> {
			Path target = resolve(project, path, "path", true);
			if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
				return new Download(target.getFileName().toString(), false, Files.size(target),
						DataBufferUtils.read(target, org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance,
								64 * 1024));
			}
			if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
				throw new NotFoundException("No file or folder " + path + " in the project");
			}
			String name = (target.equals(root(project)) ? "project-" + project : target.getFileName().toString()) + ".zip";
			Flux<DataBuffer> zip = Flux.from(DataBufferUtils.outputStreamPublisher((out) -> zip(target, out),
					org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance,
					(task) -> Schedulers.boundedElastic().schedule(task)));
			return new Download(name, true, null, zip);
		});
	}

	/** Writes the folder as a zip, regular files and folders only. */
	private static void zip(Path folder, OutputStream out) {
		try (ZipOutputStream zip = new ZipOutputStream(out)) {
			Files.walkFileTree(folder, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
					if (!dir.equals(folder)) {
						zip.putNextEntry(new ZipEntry(folder.relativize(dir) + "/"));
						zip.closeEntry();
					}
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
					if (attributes.isRegularFile() && !file.getFileName().toString().startsWith(".sciport-")) {
						zip.putNextEntry(new ZipEntry(folder.relativize(file).toString()));
						Files.copy(file, zip);
						zip.closeEntry();
					}
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** An upload's file name, as a name: its last segment, printable, not dots only. */
	static String name(@Nullable String filename) {
		String name = (filename != null) ? filename.replace('\\', '/') : "";
		name = name.substring(name.lastIndexOf('/') + 1).strip();
		if (name.isEmpty() || name.chars().allMatch((c) -> c == '.') || name.length() > 255
				|| name.chars().anyMatch((c) -> c < 0x20 || c == 0x7f) || name.startsWith(".sciport-")) {
			throw new ValidationException("file", "the file needs a name (printable, not dots only, at most 255 characters)");
		}
		return name;
	}

	/** A blocking piece of file work, on a thread for it. */
	private static <T> Mono<T> blocking(java.util.concurrent.Callable<T> work) {
		return Mono.fromCallable(() -> {
			try {
				return work.call();
			}
			catch (NoSuchFileException ex) {
				// The server's own path stays unsaid.
				throw new NotFoundException("No such file or folder in the project");
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

}
