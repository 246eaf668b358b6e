package org.sciport.upload.receive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import org.sciport.commons.error.ErrorCode;
import org.sciport.commons.error.SciportException;
import org.sciport.commons.error.ValidationException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A streaming reader of {@code multipart/form-data} (RFC 7578) for uploads: form fields
 * arrive whole, a file part's content arrives in pieces as the network delivered it (slices of
 * the network's buffers, not copies). The boundary is found by scanning for carriage
 * returns with Netty's word-at-a-time search, then comparing, rather than by running a
 * matcher over every byte (Spring's parser spent most of an upload's time there).
 */
final class MultipartStream {

	/** What the stream holds, in order. */
	sealed interface Event permits Field, FileStart, FileData, FileEnd, Refused {
	}

	/**
	 * The body was refused part-way (too many parts, a field or header too large): turned into
	 * the stream's error right where it is read, so no receiver ever sees it.
	 */
	private record Refused(RuntimeException error) implements Event {
	}

	record Field(String name, String value) implements Event {
	}

	record FileStart(String name, @Nullable String filename, @Nullable String contentType) implements Event {
	}

	/**
	 * Content of the current file part: where the network's buffer allows, a slice of it (no
	 * copy). Whoever receives it either {@link #take() takes} the buffer (and releases that) or
	 * {@link #release() releases} it; a second release, from a discard hook, does nothing.
	 */
	static final class FileData implements Event {

		private final DataBuffer data;

		private final AtomicBoolean owned = new AtomicBoolean(true);

		FileData(DataBuffer data) {
			this.data = data;
		}

		/** The buffer, now the caller's to release. */
		DataBuffer take() {
			if (!this.owned.compareAndSet(true, false)) {
				throw new IllegalStateException("This content was already taken or released");
			}
			return this.data;
		}

		void release() {
			if (this.owned.compareAndSet(true, false)) {
				DataBufferUtils.release(this.data);
			}
		}

	}

	record FileEnd() implements Event {
	}

	private static final int MAX_HEADER_BYTES = 16 * 1024;

	private static final int MAX_PARTS = 100;

	private enum State {
		PREAMBLE, AFTER_DELIMITER, HEADERS, BODY, EPILOGUE
	}

	private final byte[] delimiter;

	private final int maxFieldBytes;

	private State state = State.PREAMBLE;

	/** Bytes at the end of the last buffer that may begin a delimiter. */
	private byte[] carry;

	private final ByteArrayOutputStream small = new ByteArrayOutputStream();

	private @Nullable String partName;

	private @Nullable String filename;

	private boolean inFile;

	private int parts;

	/** The last four bytes read in a header block, to spot its end. */
	private int lastFour;

	private MultipartStream(String boundary, int maxFieldBytes) {
		this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
		this.maxFieldBytes = maxFieldBytes;
		// The first boundary need not follow a line break: pretend one came before the body.
		this.carry = new byte[] { '\r', '\n' };
	}

	/**
	 * The events of {@code body}, a multipart stream delimited by {@code boundary}. A body that
	 * ends before its closing boundary is a 400; a form field over {@code maxFieldBytes} a 413.
	 */
	static Flux<Event> parse(Flux<DataBuffer> body, String boundary, int maxFieldBytes) {
		if (boundary.isEmpty() || boundary.length() > 70) {
			return body.map(DataBufferUtils::release).thenMany(Flux.error(
					new ValidationException("Content-Type", "The multipart boundary is missing or too long")));
		}
		return Flux.defer(() -> {
			MultipartStream parser = new MultipartStream(boundary, maxFieldBytes);
			// A refusal travels as an event, not as an exception out of the mapper: Reactor
			// discards the element whose mapper threw, and the buffer was released already.
			return body.concatMapIterable(parser::feed)
				.<Event>handle((event, sink) -> {
					if (event instanceof Refused refused) {
						sink.error(refused.error());
					}
					else {
						sink.next(event);
					}
				})
				.concatWith(Mono.defer(parser::finish))
				// Queued and not yet read when the stream ends early: network memory, released.
				.doOnDiscard(FileData.class, FileData::release)
				.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
		});
	}

	private Mono<Event> finish() {
		if (this.state != State.EPILOGUE) {
			return Mono.error(new ValidationException("file", "The multipart body ended before its closing boundary"));
		}
		return Mono.empty();
	}

	/** Consumes one buffer (releasing it, or handing slices of it on) and returns its events. */
	List<Event> feed(DataBuffer buffer) {
		List<Event> events = new ArrayList<>(2);
		boolean handedOn = false;
		try {
			while (buffer.readableByteCount() > 0) {
				if (this.state == State.EPILOGUE) {
					buffer.readPosition(buffer.writePosition());
				}
				else if (this.state == State.AFTER_DELIMITER || this.state == State.HEADERS) {
					if (!readSmall(buffer, events)) {
						break;
					}
				}
				else if (scanning()) {
					Boolean more = scan(buffer, events);
					if (more == null) {
						handedOn = true;
						break;
					}
					if (!more) {
						break;
					}
				}
			}
		}
		catch (RuntimeException ex) {
			events.forEach(MultipartStream::release);
			if (!handedOn) {
				DataBufferUtils.release(buffer);
			}
			this.state = State.EPILOGUE;
			return List.of(new Refused(ex));
		}
		if (!handedOn) {
			DataBufferUtils.release(buffer);
		}
		return events;
	}

	private boolean scanning() {
		return this.state == State.PREAMBLE || this.state == State.BODY;
	}

	/**
	 * Scans body (or preamble) bytes for the delimiter. Returns {@code true} when a delimiter
	 * was consumed and parsing goes on in this buffer, {@code false} when the buffer is used up,
	 * {@code null} when the rest of the buffer was handed on as file content.
	 */
	private @Nullable Boolean scan(DataBuffer buffer, List<Event> events) {
		if (this.carry.length > 0) {
			int matched = continueMatch(buffer);
			if (matched < 0) {
				// Not a delimiter after all: the carried bytes were content.
				content(DefaultDataBufferFactory.sharedInstance.wrap(this.carry), events);
				this.carry = new byte[0];
			}
			else if (this.carry.length + matched == this.delimiter.length) {
				buffer.readPosition(buffer.readPosition() + matched);
				this.carry = new byte[0];
				endOfPart(events);
				return true;
			}
			else {
				// Still a possible delimiter, and the buffer is used up.
				byte[] longer = new byte[this.carry.length + matched];
				System.arraycopy(this.carry, 0, longer, 0, this.carry.length);
				for (int i = 0; i < matched; i++) {
					longer[this.carry.length + i] = buffer.getByte(buffer.readPosition() + i);
				}
				this.carry = longer;
				buffer.readPosition(buffer.writePosition());
				return false;
			}
		}
		int start = buffer.readPosition();
		int end = buffer.writePosition();
		int from = start;
		while (from < end) {
			int cr = indexOfCr(buffer, from, end);
			if (cr < 0) {
				break;
			}
			int available = Math.min(this.delimiter.length, end - cr);
			if (matches(buffer, cr, available)) {
				if (available == this.delimiter.length) {
					emitUpTo(buffer, cr, events);
					buffer.readPosition(cr + this.delimiter.length);
					endOfPart(events);
					return true;
				}
				// A delimiter may begin here and go on in the next buffer.
				emitUpTo(buffer, cr, events);
				this.carry = new byte[available];
				for (int i = 0; i < available; i++) {
					this.carry[i] = buffer.getByte(cr + i);
				}
				buffer.readPosition(end);
				return false;
			}
			from = cr + 1;
		}
		// No delimiter in the rest of this buffer: all of it is content.
		emitUpTo(buffer, end, events);
		buffer.readPosition(end);
		return false;
	}

	/** How many bytes at the buffer's start continue the carried partial delimiter; -1 if they do not. */
	private int continueMatch(DataBuffer buffer) {
		int needed = this.delimiter.length - this.carry.length;
		int available = Math.min(needed, buffer.readableByteCount());
		for (int i = 0; i < available; i++) {
			if (buffer.getByte(buffer.readPosition() + i) != this.delimiter[this.carry.length + i]) {
				return -1;
			}
		}
		return available;
	}

	private boolean matches(DataBuffer buffer, int at, int length) {
		for (int i = 1; i < length; i++) {
			if (buffer.getByte(at + i) != this.delimiter[i]) {
				return false;
			}
		}
		return true;
	}

	/** Content from the read position up to {@code end}, then the read position at {@code end}. */
	private void emitUpTo(DataBuffer buffer, int end, List<Event> events) {
		int start = buffer.readPosition();
		if (end <= start) {
			return;
		}
		if (this.state == State.BODY && this.inFile) {
			events.add(new FileData(slice(buffer, start, end - start)));
		}
		else if (this.state == State.BODY) {
			if (this.small.size() + (end - start) > this.maxFieldBytes) {
				throw new SciportException(ErrorCode.PAYLOAD_TOO_LARGE,
						"Form field '" + this.partName + "' is larger than " + this.maxFieldBytes + " bytes");
			}
			byte[] bytes = new byte[end - start];
			buffer.read(bytes);
			this.small.write(bytes, 0, bytes.length);
		}
		buffer.readPosition(end);
	}

	private void content(DataBuffer data, List<Event> events) {
		if (this.state == State.BODY && this.inFile) {
			events.add(new FileData(data));
			return;
		}
		if (this.state == State.BODY) {
			int count = data.readableByteCount();
			if (this.small.size() + count > this.maxFieldBytes) {
				throw new SciportException(ErrorCode.PAYLOAD_TOO_LARGE,
						"Form field '" + this.partName + "' is larger than " + this.maxFieldBytes + " bytes");
			}
			byte[] bytes = new byte[count];
			data.read(bytes);
			this.small.write(bytes, 0, count);
		}
		DataBufferUtils.release(data);
	}

	private void endOfPart(List<Event> events) {
		if (this.state == State.BODY) {
			if (this.inFile) {
				events.add(new FileEnd());
			}
			else {
				events.add(new Field(this.partName, this.small.toString(StandardCharsets.UTF_8)));
			}
		}
		this.small.reset();
		this.inFile = false;
		this.state = State.AFTER_DELIMITER;
	}

	/** Reads the two bytes after a delimiter, or a header block; false when the buffer ran out. */
	private boolean readSmall(DataBuffer buffer, List<Event> events) {
		while (buffer.readableByteCount() > 0) {
			byte next = buffer.read();
			this.small.write(next);
			if (this.state == State.AFTER_DELIMITER && this.small.size() == 2) {
				byte[] seen = this.small.toByteArray();
				this.small.reset();
				if (seen[0] == '-' && seen[1] == '-') {
					this.state = State.EPILOGUE;
					return true;
				}
				if (seen[0] != '\r' || seen[1] != '\n') {
					throw new ValidationException("Content-Type", "The multipart body is malformed after a boundary");
				}
				if (++this.parts > MAX_PARTS) {
					throw new ValidationException("file", "At most " + MAX_PARTS + " parts are accepted");
				}
				this.state = State.HEADERS;
				this.lastFour = 0;
				return true;
			}
			if (this.state == State.HEADERS) {
				this.lastFour = (this.lastFour << 8) | (next & 0xff);
				if (this.small.size() > MAX_HEADER_BYTES) {
					throw new ValidationException("file", "A part's headers are longer than " + MAX_HEADER_BYTES + " bytes");
				}
				if (this.lastFour == 0x0d0a0d0a) {
					byte[] seen = this.small.toByteArray();
					this.small.reset();
					startPart(new String(seen, 0, seen.length - 4, StandardCharsets.UTF_8), events);
					return true;
				}
			}
		}
		return false;
	}

	private void startPart(String headers, List<Event> events) {
		String name = null;
		String file = null;
		String type = null;
		for (String line : headers.split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon < 0) {
				continue;
			}
			String header = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
			String value = line.substring(colon + 1).trim();
			if (header.equals("content-disposition")) {
				name = parameter(value, "name");
				file = parameter(value, "filename");
			}
			else if (header.equals("content-type")) {
				type = value;
			}
		}
		if (name == null) {
			throw new ValidationException("file", "A part has no name in its Content-Disposition");
		}
		this.partName = name;
		this.filename = file;
		this.inFile = file != null;
		this.state = State.BODY;
		if (this.inFile) {
			events.add(new FileStart(name, file, type));
		}
	}

	/** A parameter of a Content-Disposition value, quoted or not (quoted-pair escapes resolved). */
	static @Nullable String parameter(String disposition, String name) {
		int i = 0;
		int length = disposition.length();
		while (i < length) {
			int semicolon = disposition.indexOf(';', i);
			if (semicolon < 0) {
				return null;
			}
			i = semicolon + 1;
			while (i < length && disposition.charAt(i) == ' ') {
				i++;
			}
			int equals = disposition.indexOf('=', i);
			if (equals < 0) {
				return null;
			}
			String key = disposition.substring(i, equals).trim();
			i = equals + 1;
			StringBuilder value = new StringBuilder();
			if (i < length && disposition.charAt(i) == '"') {
				i++;
				while (i < length && disposition.charAt(i) != '"') {
					char c = disposition.charAt(i);
					if (c == '\\' && i + 1 < length) {
						c = disposition.charAt(++i);
					}
					value.append(c);
					i++;
				}
				i++;
			}
			else {
				while (i < length && disposition.charAt(i) != ';') {
					value.append(disposition.charAt(i++));
				}
			}
			if (key.equalsIgnoreCase(name)) {
				return value.toString().trim().isEmpty() && !name.equals("filename") ? null : value.toString();
			}
		}
		return null;
	}

	/**
	 * {@code length} bytes of {@code buffer} from {@code start}, for a receiver to release: a
	 * retained slice of a network (Netty) buffer, whose memory goes back to the pool once both
	 * are released; a copy of any other.
	 */
	private static DataBuffer slice(DataBuffer buffer, int start, int length) {
		if (buffer instanceof NettyDataBuffer netty) {
			return netty.factory().wrap(netty.getNativeBuffer().retainedSlice(start, length));
		}
		byte[] bytes = new byte[length];
		buffer.readPosition(start);
		buffer.read(bytes);
		return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
	}

	private static int indexOfCr(DataBuffer buffer, int from, int to) {
		if (buffer instanceof NettyDataBuffer netty) {
			ByteBuf bytes = netty.getNativeBuffer();
			return bytes.indexOf(from, to, (byte) '\r');
		}
		for (int i = from; i < to; i++) {
			if (buffer.getByte(i) == '\r') {
				return i;
			}
		}
		return -1;
	}

	private static void release(Event event) {
		if (event instanceof FileData data) {
			data.release();
		}
	}

}
