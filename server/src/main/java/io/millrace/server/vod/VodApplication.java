package io.millrace.server.vod;

import io.millrace.media.MediaFormatException;
import io.millrace.media.MediaIndex;
import io.millrace.media.MediaIndexCache;
import io.millrace.media.flv.FlvMediaIndex;
import io.millrace.media.mp3.Mp3Index;
import io.millrace.media.mp4.Mp4Index;
import io.millrace.rtmp.command.NetCommand;
import io.millrace.rtmp.command.NetStreamStatus;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.session.Application;
import io.millrace.server.session.NetStream;
import io.millrace.server.session.RtmpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * FMS's vod service: plays recorded files from the media folder and answers its built-in calls,
 * getStreamLength, getPageUrl and getReferrer (checkBandwidth is every application's, in RtmpSession). Live streams are not published to this application, so play with start -1 (live
 * only) waits, as FMS's did, for a publisher that does not come.
 */
public final class VodApplication implements Application {
    private static final Logger LOG = LoggerFactory.getLogger(VodApplication.class);

    private final String name;
    private final VodNames names;
    private final ServerConfig.Vod config;
    private final MediaIndexCache indexes;

    /**
     * @param folders where names are looked up, in order: the media folder, then the recordings folder (so a
     *        stream recorded by the live application plays here by its name)
     */
    public VodApplication(String name, ServerConfig.Vod config, MediaIndexCache indexes, Path... folders) {
        this.name = name;
        this.names = new VodNames(folders);
        this.config = config;
        this.indexes = indexes;
    }

    @Override
    public String type() {
        return "vod";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean call(RtmpSession session, NetCommand.Call call) {
        switch (call.method()) {
            case "getStreamLength" -> {
                Object n = call.arg(0);
                double seconds = 0;
                if (n instanceof String streamName) {
                    VodNames.Resolution r = names.resolve(streamName);
                    if (r.found() && loader(r.format()) != null) {
                        try {
                            seconds = indexes.get(r.file(), loader(r.format())).durationMs() / 1000.0;
                        } catch (IOException | RuntimeException e) {
                            LOG.info("{}: getStreamLength({}): {}", session.describe(), streamName, e.getMessage());
                        }
                    }
                }
                session.reply(call.transactionId(), seconds);
                return true;
            }
            case "getPageUrl" -> {
                // FMS's vod main.asc: the pageUrl the client sent with connect.
                session.reply(call.transactionId(), session.connectProperties().getString("pageUrl"));
                return true;
            }
            case "getReferrer" -> {
                // ... and Client.referrer, the URL of the SWF (swfUrl).
                session.reply(call.transactionId(), session.connectProperties().getString("swfUrl"));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Whether {@code streamName} names a file this application can play. */
    public boolean has(String streamName) {
        return names.resolve(streamName).found();
    }

    @Override
    public void play(RtmpSession session, NetStream stream, NetCommand.Play play) {
        double start = play.startNormalized();
        String streamName = play.name();
        boolean reset = play.resets();
        int id = stream.id();
        if (start == -1 || (start < 0 && start != -2)) {
            // Live only: nothing is ever published to vod, so the client waits (as with FMS).
            session.channel().write(new StreamBegin(id));
            if (reset) {
                session.channel().write(session.status(id, NetStreamStatus.PLAY_RESET,
                        "Playing and resetting " + streamName + ".", streamName));
            }
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_START,
                    "Started playing " + streamName + ".", streamName));
            LOG.info("play {} stream={} start=live: waiting for a publisher that vod never has", session.describe(), streamName);
            stream.access("play", streamName, 200, "live: waiting", null);
            return;
        }
        VodNames.Resolution r = names.resolve(streamName);
        if (r.refused()) {
            LOG.info("play {} stream={} refused: {}", session.describe(), streamName, r.refusal());
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_FAILED,
                    "Failed to play " + streamName + ": " + r.refusal() + ".", streamName));
            stream.access("play", streamName, 400, r.refusal(), null);
            return;
        }
        if (!r.found()) {
            LOG.info("play {} stream={}: not found", session.describe(), streamName);
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_STREAM_NOT_FOUND,
                    "Failed to play " + streamName + "; stream not found.", streamName));
            stream.access("play", streamName, 404, "stream not found", null);
            return;
        }
        MediaIndexCache.Loader loader = loader(r.format());
        if (loader == null) {
            LOG.info("play {} stream={}: {} files are not supported by this release", session.describe(), streamName, r.format());
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_FAILED,
                    "Failed to play " + streamName + ": " + r.format() + " files are not supported yet.", streamName));
            stream.access("play", streamName, 415, r.format() + " not supported", null);
            return;
        }
        MediaIndex index;
        try {
            index = indexes.get(r.file(), loader);
        } catch (MediaFormatException e) {
            LOG.info("play {} stream={}: invalid file structure: {}", session.describe(), streamName, e.getMessage());
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_FILE_STRUCTURE_INVALID,
                    "Failed to play " + streamName + ": " + e.getMessage(), streamName));
            stream.access("play", streamName, 415, "invalid file structure", null);
            return;
        } catch (IOException | RuntimeException e) {
            LOG.info("play {} stream={}: unreadable file: {}", session.describe(), streamName, e.toString());
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_FAILED,
                    "Failed to play " + streamName + ": " + e.getMessage(), streamName));
            stream.access("play", streamName, 500, "unreadable file", null);
            return;
        }
        if (index.unsupportedReason() != null) {
            LOG.info("play {} stream={}: {}", session.describe(), streamName, index.unsupportedReason());
            session.channel().writeAndFlush(session.status(id, NetStreamStatus.PLAY_NO_SUPPORTED_TRACK_FOUND,
                    "Failed to play " + streamName + ": " + index.unsupportedReason(), streamName));
            stream.access("play", streamName, 415, index.unsupportedReason(), null);
            return;
        }
        long startMs = start <= 0 ? 0 : (long) start;
        long length = play.len() < 0 ? -1 : (long) play.len();
        stream.startPlayback(new VodPlayback(session, stream, streamName, r.file(), index, startMs, length, reset,
                false, config.bufferLeadMillis()));
    }

    /** How each format is indexed (null would mean a format this release does not play). */
    static MediaIndexCache.Loader loader(VodNames.Format format) {
        return switch (format) {
            case FLV -> FlvMediaIndex::build;
            case MP4 -> Mp4Index::build;
            case MP3 -> Mp3Index::build;
        };
    }
}
