package io.llmproxy.command.price;

import java.math.BigDecimal;
import java.util.regex.Pattern;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;

/**
 * Reads a USD amount given as a JSON number ({@code 2.5}) or a plain decimal string ({@code "2.50"}):
 * digits with an optional fraction, nothing else. A sign, spaces, an exponent or any other text in a
 * string is refused (400 naming the field), so that an amount means exactly what it shows.
 */
class DecimalAmount extends ValueDeserializer<BigDecimal> {

    private static final Pattern PLAIN = Pattern.compile("[0-9]{1,16}(\\.[0-9]{1,16})?");

    @Override
    public BigDecimal deserialize(JsonParser p, DeserializationContext ctxt) {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDecimalValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            String text = p.getString();
            if (PLAIN.matcher(text).matches()) {
                return new BigDecimal(text);
            }
            throw InvalidFormatException.from(p, "a USD amount is a number or a plain decimal string such as \"2.50\"",
                    text, BigDecimal.class);
        }
        return (BigDecimal) ctxt.handleUnexpectedToken(BigDecimal.class, p);
    }
}
