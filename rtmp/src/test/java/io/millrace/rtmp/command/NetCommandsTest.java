package io.millrace.rtmp.command;

import io.millrace.amf.AmfObject;
import io.millrace.amf.AmfUndefined;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link NetCommands#parse}: wire commands to their meaning. */
class NetCommandsTest {

    private static NetCommand parse(String name, double tid, int msid, Object commandObject, Object... args) {
        return NetCommands.parse(Command.of(name, tid, commandObject, args).onStream(msid));
    }

    // ---- connect -----------------------------------------------------------------------------------

    @Test
    void connectExposesTheCommandObject() {
        AmfObject props = AmfObject.of("app", "vod/inst1", "flashVer", "WIN 32,0,0,465",
                "tcUrl", "rtmp://127.0.0.1/vod/inst1", "objectEncoding", 3.0);
        NetCommand c = parse("connect", 1, 0, props, "user", 42.0);
        assertThat(c).isInstanceOfSatisfying(NetCommand.Connect.class, connect -> {
            assertThat(connect.transactionId()).isEqualTo(1.0);
            assertThat(connect.streamId()).isZero();
            assertThat(connect.app()).isEqualTo("vod/inst1");
            assertThat(connect.flashVer()).isEqualTo("WIN 32,0,0,465");
            assertThat(connect.tcUrl()).isEqualTo("rtmp://127.0.0.1/vod/inst1");
            assertThat(connect.objectEncoding()).isEqualTo(3);
            assertThat(connect.properties()).isSameAs(props);
            assertThat(connect.extraArguments()).containsExactly("user", 42.0);
        });
    }

    @ParameterizedTest
    @MethodSource("objectEncodings")
    void connectObjectEncodingIsThreeOnlyWhenTheClientSaysSo(Object sent, int expected) {
        AmfObject props = AmfObject.of("app", "live");
        if (sent != null) {
            props.put("objectEncoding", sent);
        }
        NetCommand.Connect c = (NetCommand.Connect) parse("connect", 1, 0, props);
        assertThat(c.objectEncoding()).isEqualTo(expected);
    }

    static Stream<Arguments> objectEncodings() {
        return Stream.of(
                Arguments.of(3.0, 3),
                Arguments.of(3, 3),           // AMF3 integer
                Arguments.of(0.0, 0),
                Arguments.of(1.0, 0),
                Arguments.of(Double.NaN, 0),
                Arguments.of("3", 0),         // not a number
                Arguments.of(null, 0));       // absent
    }

    @Test
    void connectWithAPlainMapOrNoObject() {
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("app", "live");
        plain.put("tcUrl", "rtmp://h/live");
        NetCommand.Connect fromMap = (NetCommand.Connect) parse("connect", 1, 0, plain);
        assertThat(fromMap.app()).isEqualTo("live");
        assertThat(fromMap.properties()).containsExactlyEntriesOf(plain);

        NetCommand.Connect fromNull = (NetCommand.Connect) parse("connect", 1, 0, null);
        assertThat(fromNull.properties()).isEmpty();
        assertThat(fromNull.app()).isNull();
        assertThat(fromNull.objectEncoding()).isZero();

        NetCommand.Connect fromString = (NetCommand.Connect) parse("connect", 1, 0, "live");
        assertThat(fromString.properties()).isEmpty();
    }

    // ---- stream management -------------------------------------------------------------------------

    @Test
    void createStream() {
        assertThat(parse("createStream", 4, 0, null)).isEqualTo(new NetCommand.CreateStream(4));
    }

    @Test
    void deleteStreamNamesItsTargetInTheArgument() {
        // Sent on msid 0 with the stream id as argument (ffmpeg, librtmp).
        assertThat(parse("deleteStream", 6, 0, null, 1.0)).isEqualTo(new NetCommand.DeleteStream(6, 0, 1));
        assertThat(parse("deleteStream", 6, 0, null, 2)).isEqualTo(new NetCommand.DeleteStream(6, 0, 2));
        assertThat(parse("deleteStream", 0, 3, null, 3.0)).isEqualTo(new NetCommand.DeleteStream(0, 3, 3));
    }

    @Test
    void deleteStreamWithoutArgumentTargetsItsOwnStream() {
        assertThat(parse("deleteStream", 6, 2, null)).isEqualTo(new NetCommand.DeleteStream(6, 2, 2));
        assertThat(parse("deleteStream", 6, 2, null, (Object) null)).isEqualTo(new NetCommand.DeleteStream(6, 2, 2));
    }

    @Test
    void closeStreamAndClose() {
        assertThat(parse("closeStream", 0, 1, null)).isEqualTo(new NetCommand.CloseStream(0, 1));
        assertThat(parse("close", 0, 0, null)).isEqualTo(new NetCommand.Close(0, 0));
    }

    // ---- play --------------------------------------------------------------------------------------

    @Test
    void playWithMillisecondsAsFfmpegAndLibrtmpSendThem() {
        assertThat(parse("play", 5, 1, null, "live1", -2000.0, -1000.0))
                .isEqualTo(new NetCommand.Play(5, 1, "live1", -2000, -1000, 1));
        assertThat(parse("play", 5, 1, null, "live1", -1000.0, -1000.0, true))
                .isEqualTo(new NetCommand.Play(5, 1, "live1", -1000, -1000, 1));
    }

    @Test
    void playWithSecondsAsTheFlashApiDescribesThem() {
        assertThat(parse("play", 0, 1, null, "sample", -2.0, -1.0))
                .isEqualTo(new NetCommand.Play(0, 1, "sample", -2, -1, 1));
        assertThat(parse("play", 0, 1, null, "sample", -1.0, -1.0))
                .isEqualTo(new NetCommand.Play(0, 1, "sample", -1, -1, 1));
    }

    @Test
    void playWithAmf3Integers() {
        assertThat(parse("play", 4, 1, null, "live1", -2000, -1000, true))
                .isEqualTo(new NetCommand.Play(4, 1, "live1", -2000, -1000, 1));
    }

    @Test
    void playMissingArgumentsGetTheDefaults() {
        NetCommand.Play expected = new NetCommand.Play(3, 1, "sample", -2, -1, 1);
        assertThat(parse("play", 3, 1, null, "sample")).isEqualTo(expected);
        assertThat(parse("play", 3, 1, null, "sample", null, null, null)).isEqualTo(expected);
        assertThat(parse("play", 3, 1, null, "sample", AmfUndefined.INSTANCE, AmfUndefined.INSTANCE,
                AmfUndefined.INSTANCE)).isEqualTo(expected);
        assertThat(parse("play", 3, 1, null, "sample", Double.NaN, Double.NaN)).isEqualTo(expected);
        assertThat(parse("play", 3, 1, null, "sample", 0.0))
                .isEqualTo(new NetCommand.Play(3, 1, "sample", 0, -1, 1));
        assertThat(parse("play", 3, 1, null, "sample", 5000.0, 2000.0))
                .isEqualTo(new NetCommand.Play(3, 1, "sample", 5000, 2000, 1));
    }

    @Test
    void playWithoutAStreamNameHasANullName() {
        assertThat(parse("play", 3, 1, null)).isEqualTo(new NetCommand.Play(3, 1, null, -2, -1, 1));
        assertThat(parse("play", 3, 1, null, 12.0)).isEqualTo(new NetCommand.Play(3, 1, null, -2, -1, 1));
    }

    @Test
    void playStartAndLengthAsNumericStrings() {
        assertThat(parse("play", 3, 1, null, "s", " -2000 ", "-1000"))
                .isEqualTo(new NetCommand.Play(3, 1, "s", -2000, -1000, 1));
        assertThat(parse("play", 3, 1, null, "s", "soon", "never"))
                .isEqualTo(new NetCommand.Play(3, 1, "s", -2, -1, 1));
    }

    @ParameterizedTest
    @MethodSource("resets")
    void playResetAsBooleanOrNumber(Object reset, int expected) {
        NetCommand.Play play = (NetCommand.Play) parse("play", 0, 1, null, "s", -2000.0, -1000.0, reset);
        assertThat(play.reset()).isEqualTo(expected);
    }

    static Stream<Arguments> resets() {
        return Stream.of(
                Arguments.of(true, 1),
                Arguments.of(false, 0),
                Arguments.of(0.0, 0),
                Arguments.of(1.0, 1),
                Arguments.of(2.0, 2),
                Arguments.of(3.0, 3),
                Arguments.of(2, 2),          // AMF3 integer
                Arguments.of(4.0, 1),        // out of range: default
                Arguments.of(-1.0, 1),
                Arguments.of(null, 1),
                Arguments.of("0", 1));       // neither Boolean nor Number: default
    }

    // ---- seek, pause, receiveAudio/Video ------------------------------------------------------------

    @Test
    void seek() {
        assertThat(parse("seek", 7, 1, null, 15000.0)).isEqualTo(new NetCommand.Seek(7, 1, 15000));
        assertThat(parse("seek", 7, 1, null, 15000)).isEqualTo(new NetCommand.Seek(7, 1, 15000));
        assertThat(parse("seek", 7, 1, null)).isEqualTo(new NetCommand.Seek(7, 1, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pause", "pauseRaw"})
    void pauseAndPauseRaw(String name) {
        assertThat(parse(name, 8, 1, null, true, 4200.0)).isEqualTo(new NetCommand.Pause(8, 1, true, 4200));
        assertThat(parse(name, 9, 1, null, false, 4200.0)).isEqualTo(new NetCommand.Pause(9, 1, false, 4200));
        // Some clients send the flag as a number.
        assertThat(parse(name, 9, 1, null, 0.0, 10.0)).isEqualTo(new NetCommand.Pause(9, 1, false, 10));
        assertThat(parse(name, 9, 1, null, 1.0, 10.0)).isEqualTo(new NetCommand.Pause(9, 1, true, 10));
        // Missing: pause at an unknown position.
        assertThat(parse(name, 9, 1, null)).isEqualTo(new NetCommand.Pause(9, 1, true, -1));
    }

    @Test
    void receiveAudioAndVideo() {
        assertThat(parse("receiveAudio", 0, 1, null, false)).isEqualTo(new NetCommand.ReceiveAudio(0, 1, false));
        assertThat(parse("receiveAudio", 0, 1, null, true)).isEqualTo(new NetCommand.ReceiveAudio(0, 1, true));
        assertThat(parse("receiveAudio", 0, 1, null)).isEqualTo(new NetCommand.ReceiveAudio(0, 1, true));
        assertThat(parse("receiveVideo", 0, 1, null, false)).isEqualTo(new NetCommand.ReceiveVideo(0, 1, false));
        assertThat(parse("receiveVideo", 0, 1, null, true)).isEqualTo(new NetCommand.ReceiveVideo(0, 1, true));
        assertThat(parse("receiveVideo", 0, 1, null)).isEqualTo(new NetCommand.ReceiveVideo(0, 1, true));
    }

    // ---- replies and calls -------------------------------------------------------------------------

    @Test
    void resultAndErrorBecomeResultWithTheCommandObjectFirst() {
        AmfObject info = NetConnectionStatus.CALL_FAILED.info(null);
        assertThat(parse("_result", 3, 0, null, 1.0))
                .isEqualTo(new NetCommand.Result(3, 0, false, Arrays.asList(null, 1.0)));
        assertThat(parse("_error", 3, 0, null, info))
                .isEqualTo(new NetCommand.Result(3, 0, true, Arrays.asList(null, info)));
        AmfObject props = AmfObject.of("fmsVer", "FMS/3,5,7,7009");
        assertThat(parse("_result", 1, 0, props, info, "extra"))
                .isEqualTo(new NetCommand.Result(1, 0, false, Arrays.asList(props, info, "extra")));
        assertThat(parse("_result", 4, 1, null))
                .isEqualTo(new NetCommand.Result(4, 1, false, Arrays.asList((Object) null)));
    }

    @Test
    void publishTakesNameAndTypeWithLiveAsDefault() {
        assertThat(parse("publish", 5, 1, null, "cam?key=abc", "record"))
                .isEqualTo(new NetCommand.Publish(5, 1, "cam?key=abc", "record"));
        assertThat(parse("publish", 5, 1, null, "cam"))
                .isEqualTo(new NetCommand.Publish(5, 1, "cam", "live"));
        assertThat(parse("publish", 5, 1, null, "cam", ""))
                .isEqualTo(new NetCommand.Publish(5, 1, "cam", "live"));
        // publish(false) and publish(null) stop publishing (Flash's NetStream.publish(false)).
        NetCommand.Publish stop = (NetCommand.Publish) parse("publish", 0, 1, null, false);
        assertThat(stop.stops()).isTrue();
        assertThat(((NetCommand.Publish) parse("publish", 0, 1, null, (Object) null)).stops()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"getStreamLength", "checkBandwidth", "_checkbw", "FCPublish", "releaseStream",
            "Publish", "onStatus", "myAppMethod", "Play", ""})
    void unknownMethodsBecomeCalls(String method) {
        AmfObject obj = AmfObject.of("k", "v");
        NetCommand c = parse(method, 11, 1, obj, "sample", 2.0);
        assertThat(c).isEqualTo(new NetCommand.Call(11, 1, method, obj, List.of("sample", 2.0)));
        NetCommand.Call call = (NetCommand.Call) c;
        assertThat(call.arg(0)).isEqualTo("sample");
        assertThat(call.arg(1)).isEqualTo(2.0);
        assertThat(call.arg(2)).isNull();
    }

    @Test
    void everyProtocolCommandHasItsOwnType() {
        Map<String, Class<? extends NetCommand>> expected = new LinkedHashMap<>();
        expected.put("connect", NetCommand.Connect.class);
        expected.put("createStream", NetCommand.CreateStream.class);
        expected.put("deleteStream", NetCommand.DeleteStream.class);
        expected.put("closeStream", NetCommand.CloseStream.class);
        expected.put("play", NetCommand.Play.class);
        expected.put("publish", NetCommand.Publish.class);
        expected.put("seek", NetCommand.Seek.class);
        expected.put("pause", NetCommand.Pause.class);
        expected.put("pauseRaw", NetCommand.Pause.class);
        expected.put("receiveAudio", NetCommand.ReceiveAudio.class);
        expected.put("receiveVideo", NetCommand.ReceiveVideo.class);
        expected.put("_result", NetCommand.Result.class);
        expected.put("_error", NetCommand.Result.class);
        expected.put("close", NetCommand.Close.class);
        expected.forEach((name, type) -> {
            NetCommand c = parse(name, 2, 1, null);
            assertThat(c).as(name).isInstanceOf(type);
            assertThat(c.transactionId()).as(name).isEqualTo(2.0);
        });
    }

    @Test
    void streamIdComesFromTheMessageExceptForNetConnectionCommands() {
        assertThat(parse("play", 1, 5, null, "s").streamId()).isEqualTo(5);
        assertThat(parse("seek", 1, 5, null, 0.0).streamId()).isEqualTo(5);
        assertThat(parse("myCall", 1, 5, null).streamId()).isEqualTo(5);
        assertThat(parse("connect", 1, 5, null).streamId()).isZero();
        assertThat(parse("createStream", 1, 5, null).streamId()).isZero();
    }
}
