package io.millrace.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the API refuses: bad or missing parameter, unknown resource, wrong method. Carries the HTTP
 * status and, for the FMS admin API, the status code of the result object. No stack trace is filled in:
 * this is an expected outcome of bad input, never logged with a trace.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final String fmsCode;
    private final String allow;

    ApiError(HttpResponseStatus status, String fmsCode, String message) {
        this(status, fmsCode, message, null);
    }

    private ApiError(HttpResponseStatus status, String fmsCode, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.fmsCode = fmsCode;
        this.allow = allow;
    }

    static ApiError badRequest(String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, FmsAdminApi.COMMAND_FAILED, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(HttpResponseStatus.NOT_FOUND, FmsAdminApi.COMMAND_FAILED, message);
    }

    /** 405, with the methods the resource does accept (for the Allow header). */
    static ApiError methodNotAllowed(String method, String allow) {
        return new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, FmsAdminApi.CALL_FAILED,
                "method " + method + " not allowed here (allowed: " + allow + ")", allow);
    }

    HttpResponseStatus status() {
        return status;
    }

    String fmsCode() {
        return fmsCode;
    }

    /** The Allow header's value for a 405, else null. */
    String allow() {
        return allow;
    }
}
