package io.millrace.amf;

import java.util.Objects;

/**
 * An XML value. {@code e4x == false} is an XMLDocument (AMF0 marker 0F, AMF3 marker 07);
 * {@code e4x == true} is an E4X XML value (AMF3 marker 0B only; the AMF0 writer sends it through the
 * AVM+ switch so the flag survives).
 */
public record AmfXml(String xml, boolean e4x) {
    public AmfXml {
        Objects.requireNonNull(xml, "xml");
    }
}
