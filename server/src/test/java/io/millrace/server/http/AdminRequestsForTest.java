package io.millrace.server.http;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/** Builds {@link AdminRequest}s without a network, for unit tests. */
final class AdminRequestsForTest {
    private AdminRequestsForTest() {
    }

    static AdminRequest request(HttpMethod method, String uri, String... headers) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        try {
            for (int i = 0; i < headers.length; i += 2) {
                r.headers().add(headers[i], headers[i + 1]);
            }
            return AdminRequest.parse(r);
        } finally {
            r.release();
        }
    }

    static AdminAuth.Outcome check(AdminAuth auth, String... headers) {
        return auth.check(request(HttpMethod.GET, "/admin/ping", headers));
    }
}
