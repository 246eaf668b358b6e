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
 * on its longer side.
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

	@Override
	public Result convert(Path file) throws IOException {
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

}
