package org.sciport.commons.input;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies are read as typed, not guessed at: a number or a boolean where text is
 * expected, a number where a boolean is ({@code "active": -1}), a fraction or a boolean where an
 * integer is, each is refused with the field named, instead of being coerced. Text may not hold
 * NUL characters ({@code \u0000}), which PostgreSQL cannot store: refused where the body is read,
 * with the field named, before anything is written.
 */
public final class StrictJson implements JsonMapperBuilderCustomizer {

	@Override
	public void customize(JsonMapper.Builder builder) {
		builder.withCoercionConfig(LogicalType.Textual, (config) -> config
			.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
			.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
			.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
		builder.withCoercionConfig(LogicalType.Boolean, (config) -> config
			.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
			.setCoercion(CoercionInputShape.Float, CoercionAction.Fail));
		builder.withCoercionConfig(LogicalType.Integer, (config) -> config
			.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
			.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
		builder.addModule(new SimpleModule("sciport-strict-json").addDeserializer(String.class, new TextWithoutNul()));
	}

	/**
	 * Text as Jackson reads it, refused if it holds a NUL character.
	 */
	static final class TextWithoutNul extends StringDeserializer {

		@Override
		public String deserialize(JsonParser parser, DeserializationContext context) {
			String text = super.deserialize(parser, context);
			if (text != null && text.indexOf('\u0000') >= 0) {
				return context.reportInputMismatch(this, "Text may not contain NUL characters");
			}
			return text;
		}

	}

}
