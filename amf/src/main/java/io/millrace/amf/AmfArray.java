package io.millrace.amf;

import java.util.List;
import java.util.Objects;

/**
 * An AMF3 Array (marker 09) with an associative part: {@code associative} holds the named entries (in
 * wire order), {@code dense} the indexed ones. A pure dense AMF3 array is read as a plain
 * {@code List<Object>} instead. The reader creates {@code associative} as an ECMA-array
 * {@link AmfObject} ({@link AmfObject#isEcmaArray()} true).
 *
 * <p>The components are not copied: the reader fills them after creating the record, so that nested
 * references to the array work.
 */
public record AmfArray(List<Object> dense, AmfObject associative) {
    public AmfArray {
        Objects.requireNonNull(dense, "dense");
        Objects.requireNonNull(associative, "associative");
    }
}
