package io.millrace.rtmp.command;

import io.millrace.amf.AmfObject;

/** A status code with its level: implemented by {@link NetConnectionStatus} and {@link NetStreamStatus}. */
public interface Status {
    String code();

    StatusLevel level();

    String defaultDescription();

    /** The info object {level, code, description}, in the order FMS-style servers send it. */
    default AmfObject info(String description) {
        AmfObject o = new AmfObject();
        o.put("level", level().wire());
        o.put("code", code());
        o.put("description", description != null ? description : defaultDescription());
        return o;
    }
}
