package org.sciport.commons.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects in one bucket of an S3-compatible store, under an optional key prefix. A
 * write is a multipart upload whose parts are cut from the stream as it arrives (so memory
 * holds at most a part or two, whatever the object's size); the object appears only when the
 * upload completes, and a failed or cancelled write aborts the upload, leaving nothing.
 */
public final class S3BlobStore implements BlobStore {

	/** S3's smallest part but the last. */
	public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

	private final S3AsyncClient client;

	private final String bucket;

	private final String prefix;

	private final int partSize;

	public S3BlobStore(S3AsyncClient client, String bucket, String prefix, int partSize) {
		if (partSize < MIN_PART_SIZE) {
			throw new IllegalArgumentException("Parts must be at least " + MIN_PART_SIZE + " bytes");
		}
		this.client = client;
		this.bucket = bucket;
		this.prefix = (prefix.isEmpty() || prefix.endsWith("/")) ? prefix : prefix + "/";
		this.partSize = partSize;
	}

	@Override
	public Mono<StoredBlob> write(String key, Flux<DataBuffer> content) {
		String object = objectKey(key);
		return Mono.defer(() -> {
			AtomicReference<@Nullable String> uploadId = new AtomicReference<>();
			AtomicLong size = new AtomicLong();
			AtomicInteger partNumber = new AtomicInteger();
			Mono<String> start = Mono.fromFuture(() -> this.client
				.createMultipartUpload((request) -> request.bucket(this.bucket).key(object)))
				.map((created) -> {
					uploadId.set(created.uploadId());
					return created.uploadId();
				});
			return start.flatMap((id) -> parts(content)
				.concatMap((part) -> {
					int number = partNumber.incrementAndGet();
					size.addAndGet(part.remaining());
					return Mono.fromFuture(() -> this.client.uploadPart((request) -> request.bucket(this.bucket)
						.key(object)
						.uploadId(id)
						.partNumber(number)
						.contentLength((long) part.remaining()), AsyncRequestBody.fromByteBuffer(part)))
						.map((uploaded) -> CompletedPart.builder().partNumber(number).eTag(uploaded.eTag()).build());
				}, 1)
				.collectList()
				.flatMap((parts) -> parts.isEmpty()
						// An empty object: S3 will not complete a multipart upload of no parts.
						? Mono.fromFuture(() -> this.client.abortMultipartUpload((request) -> request.bucket(this.bucket)
							.key(object)
							.uploadId(id)))
							.then(Mono.fromFuture(() -> this.client.putObject((request) -> request.bucket(this.bucket)
								.key(object), AsyncRequestBody.empty())))
							.then()
						: Mono.fromFuture(() -> this.client.completeMultipartUpload((request) -> request.bucket(this.bucket)
							.key(object)
							.uploadId(id)
							.multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())))
							.then()))
				.then(Mono.fromSupplier(() -> new StoredBlob(key, size.get())))
				.onErrorResume((ex) -> abort(object, uploadId.get()).then(Mono.error(ex)))
				.doOnCancel(() -> abort(object, uploadId.get()).subscribe())
				// Buffers still queued upstream when the write ends early are released.
				.doOnDiscard(java.util.List.class, ChannelWriter::releaseAll)
				.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
		});
	}

	/** Cuts the stream into parts of {@code partSize} bytes (the last may be shorter). */
	private Flux<ByteBuffer> parts(Flux<DataBuffer> content) {
		return Flux.defer(() -> {
			AtomicReference<ByteBuffer> current = new AtomicReference<>(ByteBuffer.allocate(this.partSize));
			return content.<ByteBuffer>handle((buffer, sink) -> {
				try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
					while (iterator.hasNext()) {
						ByteBuffer source = iterator.next();
						while (source.hasRemaining()) {
							ByteBuffer target = current.get();
							int count = Math.min(source.remaining(), target.remaining());
							ByteBuffer slice = source.slice();
							slice.limit(count);
							target.put(slice);
							source.position(source.position() + count);
							if (!target.hasRemaining()) {
								sink.next(target.flip());
								current.set(ByteBuffer.allocate(this.partSize));
							}
						}
					}
				}
				finally {
					DataBufferUtils.release(buffer);
				}
			}).concatWith(Mono.fromSupplier(() -> current.get().flip()).filter(ByteBuffer::hasRemaining));
		});
	}

	private Mono<Void> abort(String object, @Nullable String uploadId) {
		if (uploadId == null) {
			return Mono.empty();
		}
		return Mono.fromFuture(() -> this.client.abortMultipartUpload((request) -> request.bucket(this.bucket)
			.key(object)
			.uploadId(uploadId))).then().onErrorComplete();
	}

	@Override
	public Flux<DataBuffer> read(String key) {
		String object = objectKey(key);
		return Mono.fromFuture(() -> this.client.getObject((request) -> request.bucket(this.bucket).key(object),
				AsyncResponseTransformer.<GetObjectResponse>toPublisher()))
			.onErrorMap(S3BlobStore::isMissing, (ex) -> new BlobNotFoundException(key))
			.flatMapMany((ResponsePublisher<GetObjectResponse> publisher) -> Flux.from(publisher))
			.map(DefaultDataBufferFactory.sharedInstance::wrap);
	}

	@Override
	public Mono<StoredBlob> stat(String key) {
		String object = objectKey(key);
		return Mono.fromFuture(() -> this.client.headObject((request) -> request.bucket(this.bucket).key(object)))
			.map((head) -> new StoredBlob(key, head.contentLength()))
			.onErrorResume(S3BlobStore::isMissing, (ex) -> Mono.empty());
	}

	@Override
	public Mono<Void> delete(String key) {
		String object = objectKey(key);
		return Mono.fromFuture(() -> this.client.deleteObject((request) -> request.bucket(this.bucket).key(object))).then();
	}

	@Override
	public Mono<Void> deleteAll(String prefix) {
		String objects = objectKey(prefix) + "/";
		return Flux.from(this.client.listObjectsV2Paginator((request) -> request.bucket(this.bucket).prefix(objects)))
			.concatMap((page) -> {
				List<ObjectIdentifier> keys = new ArrayList<>();
				for (S3Object found : page.contents()) {
					keys.add(ObjectIdentifier.builder().key(found.key()).build());
				}
				if (keys.isEmpty()) {
					return Mono.empty();
				}
				CompletableFuture<?> deleted = this.client.deleteObjects((request) -> request.bucket(this.bucket)
					.delete(Delete.builder().objects(keys).quiet(true).build()));
				return Mono.fromFuture(deleted);
			})
			.then();
	}

	private String objectKey(String key) {
		return this.prefix + BlobKeys.validate(key);
	}

	private static boolean isMissing(Throwable error) {
		Throwable cause = (error.getCause() != null && !(error instanceof S3Exception)) ? error.getCause() : error;
		return cause instanceof NoSuchKeyException
				|| (cause instanceof S3Exception s3 && s3.statusCode() == 404);
	}

}
