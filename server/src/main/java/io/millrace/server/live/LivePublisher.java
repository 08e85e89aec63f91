package io.millrace.server.live;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.AmfMessageCodec;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.command.NetStreamStatus;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.server.monitor.AccessLog;
import io.millrace.server.session.NetStream;
import io.millrace.server.session.Publishing;
import io.millrace.server.session.RtmpSession;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A publication on a live stream by an encoder, on the publisher's event loop: hands what the encoder sends
 * to its {@link LiveIngest} (frames on the stream's timeline, each chunked once for all viewers; the metadata,
 * {@code @setDataFrame onMetaData}; the recorder), splits aggregate messages, and unpublishes a publisher
 * that has sent no media for {@code live.idleTimeoutMillis}.
 */
final class LivePublisher implements Publishing, LiveSource {
    private static final Logger LOG = LoggerFactory.getLogger(LivePublisher.class);

    private final LiveApplication app;
    private final RtmpSession session;
    private final NetStream netStream;
    private final LiveStream stream;
    private final String name;
    private final String query;
    private final LiveIngest ingest;
    private ScheduledFuture<?> idleCheck;
    private long lastMediaNanos = System.nanoTime();
    private boolean closed;
    private volatile String publishType = "live";
    private final long publishTimeMillis = System.currentTimeMillis();

    LivePublisher(LiveApplication app, RtmpSession session, NetStream netStream, LiveStream stream, String name,
                  String query, int chunkSize) {
        this.app = app;
        this.session = session;
        this.netStream = netStream;
        this.stream = stream;
        this.name = name;
        this.query = query;
        this.ingest = new LiveIngest(stream, this, chunkSize, session.channel().alloc());
    }

    @Override
    public String name() {
        return name;
    }

    /** The query part of the publish name ({@code name?key=...}), or null: kept for access checks. */
    String query() {
        return query;
    }

    @Override
    public LiveIngest ingest() {
        return ingest;
    }

    @Override
    public String clientId() {
        return session.clientId();
    }

    void recordTo(FlvRecorder r) {
        ingest.recordTo(r);
        netStream.access("record", name, 200, r.appending() ? "append" : "record",
                e -> e.set(AccessLog.Field.X_FILE_NAME, r.file()).set(AccessLog.Field.X_FILE_EXT, "flv"));
    }

    @Override
    public void accessFields(AccessLog.Entry e) {
        e.set(AccessLog.Field.CS_STREAM_BYTES, ingest.bytesIn()).set(AccessLog.Field.X_COMMENT, publishType);
    }

    void watchIdle(long idleMillis) {
        if (idleMillis <= 0) {
            return;
        }
        long period = Math.max(50, Math.min(1000, idleMillis / 4));
        idleCheck = session.channel().eventLoop().scheduleAtFixedRate(() -> {
            if (!closed && System.nanoTime() - lastMediaNanos > TimeUnit.MILLISECONDS.toNanos(idleMillis)) {
                LOG.info("unpublish {} stream={} reason=idle (no media for {} ms)", session.describe(), name, idleMillis);
                session.channel().writeAndFlush(session.status(netStream.id(), NetStreamStatus.PUBLISH_IDLE,
                        name + " was unpublished: no media for " + idleMillis + " ms.", name));
                end(false);
                netStream.publishingEnded(this);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onMedia(RtmpMessage msg) {
        if (closed) {
            return;
        }
        lastMediaNanos = System.nanoTime();
        if (msg.typeId() == MessageType.AGGREGATE) {
            splitAggregate(msg);
        } else {
            ingest.media(msg.typeId(), msg.timestamp(), msg.content());
        }
    }

    /**
     * An aggregate message (type 22): FLV tags back to back, each followed by its 4-byte back pointer; their
     * timestamps are relative to the first one's, which the aggregate's own timestamp replaces.
     */
    private void splitAggregate(RtmpMessage msg) {
        ByteBuf b = msg.content();
        int at = b.readerIndex();
        int end = b.writerIndex();
        long first = -1;
        while (end - at >= 11) {
            int type = b.getUnsignedByte(at) & 0x1F;
            int size = b.getUnsignedMedium(at + 1);
            long ts = b.getUnsignedMedium(at + 4) | ((long) b.getUnsignedByte(at + 7) << 24);
            if (size > end - at - 11) {
                LOG.info("{} stream={}: aggregate message with a sub-message of {} bytes past its end; rest dropped",
                        session.describe(), name, size);
                return;
            }
            if (first < 0) {
                first = ts;
            }
            long stamped = (msg.timestamp() + (ts - first)) & 0xFFFFFFFFL;
            if (type == MessageType.AUDIO || type == MessageType.VIDEO) {
                ingest.media(type, stamped, b.slice(at + 11, size));
            } else if (type == MessageType.DATA_AMF0) {
                RtmpMessage data = new RtmpMessage(type, stamped, msg.streamId(), b.retainedSlice(at + 11, size));
                try {
                    onData(AmfMessageCodec.decodeData(data));
                } catch (RuntimeException e) {
                    LOG.info("{} stream={}: bad data message in an aggregate: {}", session.describe(), name, e.getMessage());
                } finally {
                    data.release();
                }
            }
            at += 11 + size + 4;
        }
    }

    void publishType(String type) {
        this.publishType = type;
    }

    @Override
    public String publishType() {
        return publishType;
    }

    @Override
    public long publishTimeMillis() {
        return publishTimeMillis;
    }

    RtmpSession session() {
        return session;
    }

    NetStream netStream() {
        return netStream;
    }

    @Override
    public void stopByAdmin() {
        session.channel().eventLoop().execute(() -> {
            if (netStream.publishing() == this) {
                LOG.info("unpublish {} stream={} reason=admin", session.describe(), name);
                netStream.unpublish("admin");
            }
        });
    }

    @Override
    public void onData(DataMessage data) {
        if (closed) {
            return;
        }
        String n = data.name();
        List<Object> values = data.values();
        if ("@setDataFrame".equals(n)) {
            if (values.size() >= 2 && values.get(0) instanceof String handler) {
                Object meta = values.get(1);
                if ("onMetaData".equals(handler)) {
                    ingest.metadata(metadataObject(meta));
                } else {
                    ingest.data(handler, values.subList(1, values.size()), data.timestamp());
                }
            }
            return;
        }
        if ("@clearDataFrame".equals(n)) {
            ingest.clearMetadata();
            return;
        }
        ingest.data(n, values, data.timestamp());
    }

    private static AmfObject metadataObject(Object meta) {
        if (meta instanceof AmfObject o) {
            AmfObject copy = o.deepCopy();
            return copy.isEcmaArray() ? copy : AmfObject.ecmaArray(copy);
        }
        if (meta instanceof Map<?, ?> m) {
            AmfObject a = new AmfObject();
            m.forEach((k, v) -> a.put(String.valueOf(k), v));
            return AmfObject.ecmaArray(a);
        }
        return AmfObject.ecmaArray(Map.of());
    }

    @Override
    public void onReadComplete() {
        stream.flush();
    }

    @Override
    public void close(String reason, boolean status) {
        if (closed) {
            return;
        }
        LOG.info("unpublish {} stream={} reason={} after {} s, {} frames, {} bytes", session.describe(), name, reason,
                String.format("%.1f", (System.nanoTime() - ingest.startedNanos()) / 1e9), ingest.framesIn(),
                ingest.bytesIn());
        end(status);
    }

    /** Stops recording (Record.Stop), then tells the publisher (Unpublish.Success) if asked, then the viewers. */
    private void end(boolean unpublishStatus) {
        if (closed) {
            return;
        }
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        boolean active = session.channel().isActive();
        FlvRecorder r = ingest.recorder();
        if (r != null) {
            r.close();
            long size = r.fileSize();
            netStream.access("recordstop", name, 200, null, e -> e.set(AccessLog.Field.X_FILE_NAME, r.file())
                    .set(AccessLog.Field.X_FILE_EXT, "flv").set(AccessLog.Field.X_FILE_SIZE, size < 0 ? null : size)
                    .set(AccessLog.Field.X_FILE_LENGTH, String.format(java.util.Locale.ROOT, "%.3f", r.lengthSeconds())));
            if (active) {
                session.channel().write(session.status(netStream.id(), NetStreamStatus.RECORD_STOP,
                        "Stopped recording " + name + ".", name));
            }
        }
        if (unpublishStatus && active) {
            session.channel().write(session.status(netStream.id(), NetStreamStatus.UNPUBLISH_SUCCESS,
                    name + " is now unpublished.", name));
        }
        if (active) {
            session.channel().flush();
        }
        stream.detach(this);
        app.released(stream);
    }
}
