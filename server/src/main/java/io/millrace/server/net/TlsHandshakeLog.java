package io.millrace.server.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.nio.channels.ClosedChannelException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sits right after the RTMPS listener's SslHandler: a failed TLS handshake gets one log line naming the
 * client and the reason (rate-limited by {@link FloodLog}), and the exception the SslHandler sends after it is
 * not logged again. Removes itself once the handshake succeeds.
 */
public final class TlsHandshakeLog extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshakeLog.class);
    private static final Pattern FIRST_BYTE = Pattern.compile("not an SSL/TLS record: ([0-9a-fA-F]{2})");

    private final FloodLog log;
    private boolean failed;

    public TlsHandshakeLog(FloodLog log) {
        this.log = log;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                failed = true;
                Throwable cause = done.cause();
                String who = Addresses.describe(ctx.channel().remoteAddress());
                if (cause instanceof ClosedChannelException) {
                    LOG.debug("client {} closed the connection during the TLS handshake", who);
                } else {
                    log.info(LOG, "TLS handshake failed", "closing client {}: TLS handshake failed: {}", who, describe(cause));
                }
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (failed && c instanceof SSLException) {
            ctx.close(); // the SslHandler closes too; already logged above
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    static String describe(Throwable cause) {
        if (cause instanceof NotSslRecordException) {
            Matcher m = FIRST_BYTE.matcher(String.valueOf(cause.getMessage()));
            if (m.find()) {
                int b = Integer.parseInt(m.group(1), 16);
                if (b == 3) {
                    return "not TLS (first byte 0x03: plain RTMP; use rtmp:// and the RTMP port)";
                }
                if (b == 'G' || b == 'P' || b == 'H') {
                    return String.format("not TLS (first byte 0x%02x: looks like HTTP)", b);
                }
                return String.format("not TLS (first byte 0x%02x)", b);
            }
            return "not TLS";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
