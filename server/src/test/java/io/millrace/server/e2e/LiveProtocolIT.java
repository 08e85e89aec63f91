package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.server.monitor.ClientStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live application message by message, with the project's own client as encoder (the FMLE/OBS
 * sequence) and as viewers: statuses and their order, what a viewer gets first, timestamps, the GOP cache,
 * BadName, republishing, slow viewers, idle publishers, recording.
 */
class LiveProtocolIT {
    private TestServer server;
    private final java.util.ArrayList<LivePeer> peers = new java.util.ArrayList<>();

    private LivePeer peer(RtmpClient.Options o) throws Exception {
        LivePeer p = LivePeer.connect(server, o);
        peers.add(p);
        return p;
    }

    @AfterEach
    void stop() {
        peers.forEach(LivePeer::close);
        if (server != null) {
            server.close();
        }
    }

    private static AmfObject meta() {
        return AmfObject.ecmaArray(java.util.Map.of("width", 640.0, "height", 360.0, "videocodecid", 7.0,
                "audiocodecid", 10.0, "framerate", 30.0));
    }

    /** metadata, both sequence headers, then {@code gops} GOPs of 1 s (30 fps video, audio every ~21 ms) from {@code t0}. */
    private static long sendGops(LivePeer pub, long t0, int gops) {
        return sendGops(pub, t0, gops, 20_000, 3_000);
    }

    private static long sendGops(LivePeer pub, long t0, int gops, int keySize, int interSize) {
        long t = t0;
        for (int g = 0; g < gops; g++) {
            for (int i = 0; i < 30; i++) {
                long vt = t + i * 1000L / 30;
                if (i == 0) {
                    pub.keyframe(vt, keySize);
                } else {
                    pub.interframe(vt, interSize);
                }
                if (i % 2 == 0) {
                    pub.audio(vt + 5, 300);
                }
            }
            t += 1000;
        }
        return t;
    }

    private static void sendStart(LivePeer pub, long t0) {
        pub.metadata(meta());
        pub.videoConfig(t0);
        pub.audioConfig(t0);
    }

    @Test
    void fmleSequenceViewerWaitingBadNameUnpublishAndRepublish() throws Exception {
        server = TestServer.start();
        LivePeer viewer = peer(RtmpClient.Options.flashPlayer());
        viewer.play("cam", -2);
        viewer.awaitStatus("NetStream.Play.Start");
        assertThat(viewer.codes()).containsSubsequence("NetStream.Play.Reset", "NetStream.Play.Start");
        assertThat(viewer.client.history()).anyMatch(e -> e instanceof ClientEvent.UserControl u
                && u.event().equals(new StreamBegin(viewer.streamId)));

        LivePeer pub = peer(RtmpClient.Options.plain());
        pub.publishFmle("cam?key=secret", "live");
        ClientEvent.CommandEvent started = pub.awaitStatus("NetStream.Publish.Start");
        assertThat(started.name()).isEqualTo("onStatus");
        // FCPublish was answered with onFCPublish (code Publish.Start, the name as description) before that.
        List<String> calls = pub.client.history().stream().filter(e -> e instanceof ClientEvent.CommandEvent)
                .map(e -> ((ClientEvent.CommandEvent) e).name() + ":" + ((ClientEvent.CommandEvent) e).code()).toList();
        assertThat(calls).containsSubsequence("onFCPublish:NetStream.Publish.Start", "onStatus:NetStream.Publish.Start");
        assertThat(started.info().getString("details")).as("the query is not part of the name").isEqualTo("cam");
        viewer.awaitStatus("NetStream.Play.PublishNotify");

        sendStart(pub, 1000);
        long end = sendGops(pub, 1000, 2);
        viewer.await(e -> e instanceof ClientEvent.Media m && m.timestamp() >= 1900 && m.isVideo());
        List<ClientEvent.Media> got = viewer.media();
        assertThat(got.get(0).isSequenceHeader()).isTrue();
        assertThat(got.get(1).isSequenceHeader()).isTrue();
        ClientEvent.Media firstFrame = got.stream().filter(ClientEvent.Media::isFrame).findFirst().orElseThrow();
        assertThat(firstFrame.isKeyframe()).isTrue();
        assertThat(firstFrame.timestamp()).as("the viewer's timeline starts at 0").isZero();
        assertThat(viewer.client.history()).as("%s", viewer.client.history().subList(0, 12))
                .anyMatch(e -> e instanceof ClientEvent.Data d && "onMetaData".equals(d.name()));

        // A second publisher of the same name is refused.
        LivePeer intruder = peer(RtmpClient.Options.plain());
        intruder.publishFmle("cam", "live");
        assertThat(intruder.awaitStatus("NetStream.Publish.BadName").info().getString("level")).isEqualTo("error");

        // FCUnpublish ends it: Unpublish.Success to the publisher, UnpublishNotify to the viewer.
        pub.client.send("FCUnpublish", null, "cam");
        pub.awaitStatus("NetStream.Unpublish.Success");
        viewer.awaitStatus("NetStream.Play.UnpublishNotify");
        long lastBefore = viewer.media().get(viewer.media().size() - 1).timestamp();

        // The encoder comes back with timestamps from 0: the viewer's timeline goes on forward.
        pub.client.sendOnStream(pub.streamId, "publish", null, "cam", "live");
        viewer.awaitStatus("NetStream.Play.PublishNotify");
        sendStart(pub, 0);
        sendGops(pub, 0, 2);
        viewer.await(e -> e instanceof ClientEvent.Media m && m.timestamp() > lastBefore + 1500 && m.isVideo());
        List<ClientEvent.Media> all = viewer.media();
        long lastVideo = -1;
        long lastAudio = -1;
        for (ClientEvent.Media m : all) {
            if (m.isVideo()) {
                assertThat(m.timestamp()).as("video timestamps never go back").isGreaterThanOrEqualTo(lastVideo);
                lastVideo = m.timestamp();
            } else {
                assertThat(m.timestamp()).as("audio timestamps never go back").isGreaterThanOrEqualTo(lastAudio);
                lastAudio = m.timestamp();
            }
        }
        assertThat(end).isEqualTo(3000);
    }

    @Test
    void aFlashStyleClientPublishesWithoutTheFcCallsAndVodRefusesPublishing() throws Exception {
        server = TestServer.start();
        LivePeer viewer = peer(RtmpClient.Options.plain());
        viewer.play("flash", -2);
        viewer.awaitStatus("NetStream.Play.Start");
        // AMF3 client: createStream and publish only, as NetStream.publish() does.
        LivePeer pub = peer(RtmpClient.Options.flashPlayer());
        pub.createStream();
        pub.client.sendOnStream(pub.streamId, "publish", null, "flash");
        pub.awaitStatus("NetStream.Publish.Start");
        viewer.awaitStatus("NetStream.Play.PublishNotify");
        sendStart(pub, 0);
        pub.keyframe(0, 5000);
        viewer.await(e -> e instanceof ClientEvent.Media m && m.isKeyframe());
        // publish(false) stops it.
        pub.client.sendOnStream(pub.streamId, "publish", null, false);
        pub.awaitStatus("NetStream.Unpublish.Success");
        viewer.awaitStatus("NetStream.Play.UnpublishNotify");

        RtmpClient vod = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain());
        try {
            vod.sendConnect("vod", server.url("vod"));
            vod.send("createStream", null);
            vod.await(e -> e instanceof ClientEvent.CommandEvent c && "_result".equals(c.name())
                    && c.command().transactionId() == 2, LivePeer.WAIT);
            vod.sendOnStream(1, "publish", null, "nope", "live");
            ClientEvent.CommandEvent denied = (ClientEvent.CommandEvent) vod.await(e -> e instanceof ClientEvent.CommandEvent c
                    && "NetStream.Publish.Denied".equals(c.code()), LivePeer.WAIT);
            assertThat(denied.info().getString("level")).isEqualTo("error");
        } finally {
            vod.close();
        }
    }

    @Test
    void aLateViewerStartsAtTheLastKeyframeAndWithoutTheCacheWaitsForTheNext() throws Exception {
        server = TestServer.start();
        LivePeer pub = peer(RtmpClient.Options.plain());
        pub.publishFmle("gop", "live");
        pub.awaitStatus("NetStream.Publish.Start");
        sendStart(pub, 0);
        sendGops(pub, 0, 3);
        // An extra 10 frames of the GOP that started at 2000 ms.
        Thread.sleep(300);

        LivePeer viewer = peer(RtmpClient.Options.flashPlayer());
        viewer.play("gop", -1);
        viewer.await(e -> e instanceof ClientEvent.Media m && m.isFrame() && m.isVideo());
        Thread.sleep(300);
        List<ClientEvent.Media> got = viewer.media();
        List<ClientEvent.Media> video = got.stream().filter(m -> m.isVideo() && m.isFrame()).toList();
        assertThat(video.get(0).isKeyframe()).isTrue();
        assertThat(video.get(0).timestamp()).isZero();
        assertThat(video).as("the whole cached GOP: keyframe and 29 frames").hasSize(30);
        assertThat(video.get(29).timestamp()).isEqualTo(966);
        assertThat(got.get(0).isSequenceHeader()).isTrue();
    }

    @Test
    void withoutTheGopCacheAViewerWaitsForTheNextKeyframe() throws Exception {
        server = TestServer.start("live:\n  gopCache: false\n");
        LivePeer pub = peer(RtmpClient.Options.plain());
        pub.publishFmle("nogop", "live");
        pub.awaitStatus("NetStream.Publish.Start");
        sendStart(pub, 0);
        sendGops(pub, 0, 1);
        LivePeer viewer = peer(RtmpClient.Options.plain());
        viewer.play("nogop", -1);
        viewer.awaitStatus("NetStream.Play.Start");
        Thread.sleep(300);
        assertThat(viewer.media().stream().filter(m -> m.isVideo() && m.isFrame())).isEmpty();
        sendGops(pub, 1000, 1);
        viewer.await(e -> e instanceof ClientEvent.Media m && m.isVideo() && m.isFrame());
        ClientEvent.Media first = viewer.media().stream().filter(m -> m.isVideo() && m.isFrame()).findFirst().orElseThrow();
        assertThat(first.isKeyframe()).isTrue();
    }

    @Test
    void extendedTimestampsTheWrapAndJumpsKeepTheViewerTimelineSmooth() throws Exception {
        server = TestServer.start();
        LivePeer viewer = peer(RtmpClient.Options.plain());
        viewer.play("ts", -2);
        viewer.awaitStatus("NetStream.Play.Start");
        LivePeer pub = peer(RtmpClient.Options.plain());
        pub.publishFmle("ts", "live");
        pub.awaitStatus("NetStream.Publish.Start");
        long[] sent = {0xFFFFFF00L - 100, 0xFFFFFF00L - 67, 0xFFFFFF00L - 33, 0xFFFFFF00L, 0xFFFFFF21L,
                // past 2^32: the wrap
                0xFFFFFFF0L, 0x11L, 0x32L,
                // the encoder jumps back 30 s, then on
                0x32L - 30_000 & 0xFFFFFFFFL, (0x32L - 30_000 + 33) & 0xFFFFFFFFL};
        sendStart(pub, sent[0]);
        for (int i = 0; i < sent.length; i++) {
            if (i == 0) {
                pub.keyframe(sent[i], 1000);
            } else {
                pub.interframe(sent[i], 1000);
            }
        }
        pub.keyframe((0x32L - 30_000 + 66) & 0xFFFFFFFFL, 1000);
        viewer.await(e -> e instanceof ClientEvent.Media m && m.isKeyframe() && m.timestamp() > 0);
        List<Long> ts = viewer.media().stream().filter(ClientEvent.Media::isFrame).map(ClientEvent.Media::timestamp).toList();
        assertThat(ts).hasSize(11);
        // Steps as sent across 0xFFFFFF and the wrap past 2^32; the jump back 30 s is absorbed.
        assertThat(ts.subList(0, 8)).containsExactly(0L, 33L, 67L, 100L, 133L, 340L, 373L, 406L);
        for (int i = 1; i < ts.size(); i++) {
            assertThat(ts.get(i)).isGreaterThanOrEqualTo(ts.get(i - 1));
        }
        assertThat(ts.get(10) - ts.get(8)).isEqualTo(66);
    }

    @Test
    void aViewerThatStopsReadingIsDroppedAndNeitherThePublisherNorAnotherViewerWaits() throws Exception {
        server = TestServer.start("live:\n  queueMillis: 2000\nrtmp:\n  writeBufferHighWaterMark: 16384\n");
        try (LogCapture log = LogCapture.start()) {
            LivePeer pub = peer(RtmpClient.Options.plain());
            pub.publishFmle("busy", "live");
            pub.awaitStatus("NetStream.Publish.Start");
            LivePeer stuck = peer(RtmpClient.Options.plain());
            stuck.play("busy", -1);
            stuck.awaitStatus("NetStream.Play.Start");
            stuck.client.channel().config().setAutoRead(false);
            LivePeer fast = peer(RtmpClient.Options.plain());
            fast.play("busy", -1);
            fast.awaitStatus("NetStream.Play.Start");
            sendStart(pub, 0);
            // 40 s of ~6 Mbit/s media (30 MB, more than loopback's socket buffers hold), at 8 times real time.
            for (int g = 0; g < 40; g++) {
                sendGops(pub, g * 1000L, 1, 60_000, 25_000);
                Thread.sleep(125);
            }
            long end = 40_000;
            pub.keyframe(end, 20_000);
            fast.await(e -> e instanceof ClientEvent.Media m && m.isKeyframe() && m.timestamp() == end);
            long frames = fast.media().stream().filter(ClientEvent.Media::isFrame).count();
            assertThat(frames).as("the reading viewer got every frame").isEqualTo(40 * 45 + 1);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (log.events().stream().noneMatch(e -> e.getFormattedMessage().contains("cannot keep up"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(log.events()).anyMatch(e -> e.getFormattedMessage().contains("viewer cannot keep up"));
            // FMS's getStats figures: what waits in the server for the stuck viewer, what it lost; nothing for the other.
            List<ClientStats> viewers = server.monitoring().clients("live", null).stream()
                    .filter(c -> c.bytesOut() > 100_000).toList();
            assertThat(viewers).hasSize(2);
            ClientStats slow = viewers.stream().filter(c -> c.droppedVideoMsgs() > 0).findFirst().orElseThrow();
            ClientStats quick = viewers.stream().filter(c -> c != slow).findFirst().orElseThrow();
            assertThat(slow.videoQueueMsgs()).as("video frames queued for the stuck viewer").isPositive();
            // Frames of 25 or 60 KB (300 bytes for audio), and the sequence headers a drop keeps.
            assertThat(slow.videoQueueBytes()).isGreaterThanOrEqualTo(20_000);
            assertThat(slow.audioQueueMsgs()).isPositive();
            assertThat(slow.audioQueueBytes()).isBetween((slow.audioQueueMsgs() - 1) * 300, slow.audioQueueMsgs() * 300);
            assertThat(slow.msgDropped()).isEqualTo(slow.droppedVideoMsgs() + slow.droppedAudioMsgs());
            assertThat(slow.droppedVideoBytes()).isGreaterThanOrEqualTo(slow.droppedVideoMsgs() * 25_000);
            assertThat(slow.droppedAudioBytes()).isEqualTo(slow.droppedAudioMsgs() * 300);
            assertThat(quick.videoQueueMsgs()).isZero();
            assertThat(quick.droppedVideoMsgs()).isZero();
            // When it reads again it learns why frames are missing, and its queue empties.
            stuck.client.channel().config().setAutoRead(true);
            stuck.awaitStatus("NetStream.Play.InsufficientBW");
            long drained = System.nanoTime() + 10_000_000_000L;
            while (server.monitoring().client(slow.clientId()).orElseThrow().videoQueueMsgs() > 0 && System.nanoTime() < drained) {
                Thread.sleep(50);
            }
            assertThat(server.monitoring().client(slow.clientId()).orElseThrow().videoQueueBytes()).isZero();
        }
    }

    @Test
    void dataSentByThePublisherReachesEveryViewer() throws Exception {
        server = TestServer.start();
        LivePeer pub = peer(RtmpClient.Options.plain());
        pub.publishFmle("talk", "live");
        pub.awaitStatus("NetStream.Publish.Start");
        LivePeer a = peer(RtmpClient.Options.plain());
        a.play("talk", -1);
        a.awaitStatus("NetStream.Play.Start");
        LivePeer b = peer(RtmpClient.Options.flashPlayer());
        b.play("talk", -1);
        b.awaitStatus("NetStream.Play.Start");
        sendStart(pub, 0);
        pub.keyframe(0, 1000);
        pub.client.channel().writeAndFlush(new io.millrace.rtmp.command.DataMessage("onTextData",
                List.of(AmfObject.of("text", "hello", "language", "eng")), pub.streamId, 40));
        pub.client.channel().writeAndFlush(new io.millrace.rtmp.command.DataMessage("onCuePoint",
                List.of(AmfObject.of("name", "ad", "time", 0.04)), pub.streamId, 40));
        for (LivePeer v : List.of(a, b)) {
            ClientEvent.Data text = (ClientEvent.Data) v.await(e -> e instanceof ClientEvent.Data d && "onTextData".equals(d.name()));
            assertThat(((AmfObject) text.data().values().get(0)).getString("text")).isEqualTo("hello");
            assertThat(text.data().timestamp()).isEqualTo(40);
            v.await(e -> e instanceof ClientEvent.Data d && "onCuePoint".equals(d.name()));
        }
    }

    @Test
    void anIdlePublisherIsUnpublished() throws Exception {
        server = TestServer.start("live:\n  idleTimeoutMillis: 400\n");
        LivePeer viewer = peer(RtmpClient.Options.plain());
        viewer.play("quiet", -1);
        LivePeer pub = peer(RtmpClient.Options.plain());
        pub.publishFmle("quiet", "live");
        pub.awaitStatus("NetStream.Publish.Start");
        sendStart(pub, 0);
        pub.keyframe(0, 1000);
        pub.awaitStatus("NetStream.Publish.Idle");
        viewer.awaitStatus("NetStream.Play.UnpublishNotify");
        // The name is free again.
        LivePeer next = peer(RtmpClient.Options.plain());
        next.publishFmle("quiet", "live");
        next.awaitStatus("NetStream.Publish.Start");
    }

    @Test
    void receiveVideoFalseLeavesAudioAndPauseStopsAndResumesAtAKeyframe() throws Exception {
        server = TestServer.start();
        LivePeer pub = peer(RtmpClient.Options.plain());
        pub.publishFmle("sw", "live");
        pub.awaitStatus("NetStream.Publish.Start");
        LivePeer viewer = peer(RtmpClient.Options.plain());
        viewer.play("sw", -1);
        viewer.awaitStatus("NetStream.Play.Start");
        viewer.client.sendOnStream(viewer.streamId, "receiveVideo", null, false);
        Thread.sleep(200);
        sendStart(pub, 0);
        sendGops(pub, 0, 1);
        viewer.await(e -> e instanceof ClientEvent.Media m && m.isAudio() && m.timestamp() >= 900);
        assertThat(viewer.media().stream().filter(m -> m.isVideo() && m.isFrame())).isEmpty();
        viewer.client.sendOnStream(viewer.streamId, "receiveVideo", null, true);
        Thread.sleep(200);
        sendGops(pub, 1000, 1);
        viewer.await(e -> e instanceof ClientEvent.Media m && m.isVideo() && m.isFrame());
        assertThat(viewer.media().stream().filter(m -> m.isVideo() && m.isFrame()).findFirst().orElseThrow().isKeyframe())
                .isTrue();

        viewer.client.sendOnStream(viewer.streamId, "pause", null, true, 0.0);
        viewer.awaitStatus("NetStream.Pause.Notify");
        viewer.client.sendOnStream(viewer.streamId, "seek", null, 0.0);
        viewer.awaitStatus("NetStream.Seek.Failed");
    }

    @Test
    void publishTypeRecordWritesAnFlvThatVodPlays() throws Exception {
        server = TestServer.start();
        LivePeer pub = peer(RtmpClient.Options.plain());
        pub.publishFmle("rec", "record");
        pub.awaitStatus("NetStream.Publish.Start");
        pub.awaitStatus("NetStream.Record.Start");
        sendStart(pub, 500);
        long end = sendGops(pub, 500, 3);
        pub.client.send("FCUnpublish", null, "rec");
        pub.awaitStatus("NetStream.Record.Stop");
        pub.awaitStatus("NetStream.Unpublish.Success");
        Path file = server.data().resolve("recordings/rec.flv");
        assertThat(file).exists();
        List<Probe.Packet> packets = Probe.packets(file.toString());
        assertThat(Probe.count(packets, "video")).isEqualTo(90);
        assertThat(Probe.count(packets, "audio")).isEqualTo(45);
        assertThat(packets.get(0).dtsMs()).isZero();
        Probe.Packet lastVideo = packets.stream().filter(p -> p.type().equals("video")).reduce((a, b) -> b).orElseThrow();
        assertThat(lastVideo.dtsMs()).isEqualTo(end - 500 - 1000 + 966);
        // The duration in the metadata was fixed when the recording closed.
        assertThat(Double.parseDouble(Probe.format(Probe.sections(file.toString())).get("duration")))
                .isBetween(2.9, 3.1);
        assertThat(Files.size(file)).isGreaterThan(90 * 3000);

        // vod plays it by its name.
        RtmpClient vod = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain());
        try {
            vod.sendConnect("vod", server.url("vod"));
            vod.send("createStream", null);
            vod.await(e -> e instanceof ClientEvent.CommandEvent c && "_result".equals(c.name())
                    && c.command().transactionId() == 2, LivePeer.WAIT);
            vod.sendOnStream(1, "play", null, "rec");
            vod.await(e -> e instanceof ClientEvent.CommandEvent c && "NetStream.Play.Start".equals(c.code()), LivePeer.WAIT);
        } finally {
            vod.close();
        }
    }
}
