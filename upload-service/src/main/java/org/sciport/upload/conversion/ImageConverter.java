package org.sciport.upload.conversion;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.imageio.ImageIO;

import org.springframework.stereotype.Component;

/**
 * PNG, JPEG and TIFF: width, height, colour channels, and a PNG thumbnail at most 256 pixels
 * on its longer side. Images over 50 million pixels are described from their header alone.
 */
@Component
class ImageConverter implements Converter {

	static final int THUMBNAIL = 256;

	static {
		System.setProperty("java.awt.headless", "true");
	}

	@Override
	public boolean reads(String format) {
		return "png".equals(format) || "jpeg".equals(format) || "tiff".equals(format);
	}

	/** Larger images are described from their header only: decoding them could exhaust memory. */
	static final long MAX_DECODED_PIXELS = 50_000_000L;

	@Override
	public Result convert(Path file) throws IOException {
		long[] size = dimensions(file);
		if (size[0] * size[1] > MAX_DECODED_PIXELS) {
			Map<String, Object> metadata = new LinkedHashMap<>();
			metadata.put("format", "image");
			metadata.put("width", size[0]);
			metadata.put("height", size[1]);
			metadata.put("thumbnail", null);
			metadata.put("note", "too large to decode for a thumbnail");
			return new Result(metadata, null, null);
		}
		BufferedImage image = ImageIO.read(file.toFile());
		if (image == null) {
			throw new IOException("The file is not a readable image");
		}
		int width = image.getWidth();
		int height = image.getHeight();
		double scale = Math.min(1.0, (double) THUMBNAIL / Math.max(width, height));
		int thumbWidth = Math.max(1, (int) Math.round(width * scale));
		int thumbHeight = Math.max(1, (int) Math.round(height * scale));
		BufferedImage thumbnail = new BufferedImage(thumbWidth, thumbHeight, BufferedImage.TYPE_INT_ARGB);
		Graphics2D graphics = thumbnail.createGraphics();
		try {
			graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
			graphics.drawImage(image, 0, 0, thumbWidth, thumbHeight, null);
		}
		finally {
			graphics.dispose();
		}
		ByteArrayOutputStream png = new ByteArrayOutputStream();
		ImageIO.write(thumbnail, "png", png);
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("format", "image");
		metadata.put("width", width);
		metadata.put("height", height);
		metadata.put("channels", image.getColorModel().getNumComponents());
		metadata.put("thumbnail", Map.of("width", thumbWidth, "height", thumbHeight, "content_type", "image/png"));
		return new Result(metadata, null, png.toByteArray());
	}

	/** Width and height from the image's header, without decoding its pixels. */
	private static long[] dimensions(Path file) throws IOException {
		try (javax.imageio.stream.ImageInputStream input = ImageIO.createImageInputStream(file.toFile())) {
			java.util.Iterator<javax.imageio.ImageReader> readers = (input != null) ? ImageIO.getImageReaders(input)
					: java.util.Collections.emptyIterator();
			if (!readers.hasNext()) {
				throw new IOException("The file is not a readable image");
			}
			javax.imageio.ImageReader reader = readers.next();
			try {
				reader.setInput(input, true, true);
				return new long[] { reader.getWidth(0), reader.getHeight(0) };
			}
			finally {
				reader.dispose();
			}
		}
	}

}
