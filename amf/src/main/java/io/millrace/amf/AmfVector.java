package io.millrace.amf;

import java.util.List;
import java.util.Objects;

/**
 * An AMF3 Vector (markers 0D, 0E, 0F, 10).
 *
 * <p>Items as read: {@link Kind#INT} {@code Integer}, {@link Kind#UINT} {@code Long} (0..2^32-1),
 * {@link Kind#DOUBLE} {@code Double}, {@link Kind#OBJECT} any AMF value. On write numeric vectors
 * accept any {@link Number} (INT/UINT keep the low 32 bits of {@code longValue()}).
 *
 * <p>{@code objectTypeName} is only meaningful for {@link Kind#OBJECT}: the reader keeps it exactly as
 * sent ({@code "*"} means any type); the writer sends {@code "*"} when it is null.
 *
 * <p>{@code items} is not copied: the reader fills it after creating the record, so that nested
 * references to the vector work.
 */
public record AmfVector(Kind kind, boolean fixed, String objectTypeName, List<Object> items) {

    public enum Kind {
        /** Vector.&lt;int&gt;, marker 0D. */
        INT,
        /** Vector.&lt;uint&gt;, marker 0E. */
        UINT,
        /** Vector.&lt;Number&gt;, marker 0F. */
        DOUBLE,
        /** Vector.&lt;Object&gt; (any class), marker 10. */
        OBJECT
    }

    public AmfVector {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(items, "items");
    }
}
