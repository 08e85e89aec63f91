package io.millrace.amf;

import java.util.Map;
import java.util.Objects;

/**
 * An AMF3 Dictionary (marker 11). The reader returns a {@link java.util.LinkedHashMap} in wire order.
 *
 * <p>Keys are Java values, so keys that are equal by value (two distinct empty objects, say) collapse
 * into one entry; ActionScript compares object keys by identity. As the AMF3 convention requires, the
 * writer sends integer keys ({@code Integer}, {@code Long}, {@code Short}, {@code Byte}) as strings.
 */
public record AmfDictionary(boolean weakKeys, Map<Object, Object> entries) {
    public AmfDictionary {
        Objects.requireNonNull(entries, "entries");
    }
}
