package io.millrace.rtmp.command;

import io.millrace.amf.AmfObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** {@link NetConnectionStatus}, {@link NetStreamStatus} and {@link Status#info}, against commands.md §9. */
class StatusTest {

    private static List<Status> all() {
        List<Status> all = new ArrayList<>(List.of(NetConnectionStatus.values()));
        all.addAll(List.of(NetStreamStatus.values()));
        return all;
    }

    /** Every constant with its code and level as commands.md §9 lists them. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "CONNECT_SUCCESS,             NetConnection.Connect.Success,      status",
            "CONNECT_CLOSED,              NetConnection.Connect.Closed,       status",
            "CONNECT_FAILED,              NetConnection.Connect.Failed,       error",
            "CONNECT_REJECTED,            NetConnection.Connect.Rejected,     error",
            "CONNECT_INVALID_APP,         NetConnection.Connect.InvalidApp,   error",
            "CONNECT_APP_SHUTDOWN,        NetConnection.Connect.AppShutdown,  error",
            "CONNECT_IDLE_TIMEOUT,        NetConnection.Connect.IdleTimeout,  status",
            "CALL_FAILED,                 NetConnection.Call.Failed,          error",
            "CALL_BAD_VERSION,            NetConnection.Call.BadVersion,      error",
            "CALL_PROHIBITED,             NetConnection.Call.Prohibited,      error",
            "PLAY_START,                  NetStream.Play.Start,               status",
            "PLAY_RESET,                  NetStream.Play.Reset,               status",
            "PLAY_STOP,                   NetStream.Play.Stop,                status",
            "PLAY_FAILED,                 NetStream.Play.Failed,              error",
            "PLAY_STREAM_NOT_FOUND,       NetStream.Play.StreamNotFound,      error",
            "PLAY_COMPLETE,               NetStream.Play.Complete,            status",
            "PLAY_SWITCH,                 NetStream.Play.Switch,              status",
            "PLAY_INSUFFICIENT_BW,        NetStream.Play.InsufficientBW,      warning",
            "PLAY_PUBLISH_NOTIFY,         NetStream.Play.PublishNotify,       status",
            "PLAY_UNPUBLISH_NOTIFY,       NetStream.Play.UnpublishNotify,     status",
            "PLAY_FILE_STRUCTURE_INVALID, NetStream.Play.FileStructureInvalid, error",
            "PLAY_NO_SUPPORTED_TRACK_FOUND, NetStream.Play.NoSupportedTrackFound, error",
            "SEEK_NOTIFY,                 NetStream.Seek.Notify,              status",
            "SEEK_FAILED,                 NetStream.Seek.Failed,              error",
            "PAUSE_NOTIFY,                NetStream.Pause.Notify,             status",
            "UNPAUSE_NOTIFY,              NetStream.Unpause.Notify,           status",
            "DATA_START,                  NetStream.Data.Start,               status",
            "PUBLISH_START,               NetStream.Publish.Start,            status",
            "PUBLISH_BAD_NAME,            NetStream.Publish.BadName,          error",
            "PUBLISH_IDLE,                NetStream.Publish.Idle,             status",
            "PUBLISH_DENIED,              NetStream.Publish.Denied,           error",
            "RECORD_START,                NetStream.Record.Start,             status",
            "RECORD_STOP,                 NetStream.Record.Stop,              status",
            "RECORD_NO_ACCESS,            NetStream.Record.NoAccess,          error",
            "RECORD_FAILED,               NetStream.Record.Failed,            error",
            "UNPUBLISH_SUCCESS,           NetStream.Unpublish.Success,        status",
            "FAILED,                      NetStream.Failed,                   error",
    })
    void codesAndLevelsMatchTheReference(String constant, String code, String level) {
        Status s = code.startsWith("NetConnection.") ? NetConnectionStatus.valueOf(constant)
                : NetStreamStatus.valueOf(constant);
        assertThat(s.code()).isEqualTo(code);
        assertThat(s.level().wire()).isEqualTo(level);
    }

    @Test
    void theTableAboveCoversEveryConstant() {
        // 10 NetConnection + 27 NetStream rows in codesAndLevelsMatchTheReference.
        assertThat(NetConnectionStatus.values()).hasSize(10);
        assertThat(NetStreamStatus.values()).hasSize(27);
    }

    @Test
    void codesAreUniqueAndPrefixedByTheirObject() {
        Set<String> codes = new HashSet<>();
        for (Status s : all()) {
            assertThat(codes.add(s.code())).as("duplicate code %s", s.code()).isTrue();
        }
        assertThat(Stream.of(NetConnectionStatus.values()).map(Status::code)).allMatch(c -> c.startsWith("NetConnection."));
        assertThat(Stream.of(NetStreamStatus.values()).map(Status::code)).allMatch(c -> c.startsWith("NetStream."));
    }

    @Test
    void everyStatusHasADefaultDescription() {
        assertThat(all()).allSatisfy(s -> assertThat(s.defaultDescription()).isNotBlank());
    }

    @ParameterizedTest
    @EnumSource(NetStreamStatus.class)
    void infoObjectHasLevelCodeDescriptionInThatOrder(NetStreamStatus s) {
        AmfObject info = s.info(null);
        assertThat(info.keySet()).containsExactly("level", "code", "description");
        assertThat(info.get("level")).isEqualTo(s.level().wire());
        assertThat(info.get("code")).isEqualTo(s.code());
        assertThat(info.get("description")).isEqualTo(s.defaultDescription());
        assertThat(info.className()).isNull();
        assertThat(info.isEcmaArray()).isFalse();
    }

    @Test
    void infoUsesTheGivenDescription() {
        AmfObject info = NetConnectionStatus.CONNECT_REJECTED.info("no entry");
        assertThat(info).containsExactly(
                entry("level", "error"),
                entry("code", "NetConnection.Connect.Rejected"),
                entry("description", "no entry"));
    }

    @Test
    void connectSuccessInfoMatchesTheReferenceReply() {
        assertThat(NetConnectionStatus.CONNECT_SUCCESS.info(null)).containsExactly(
                entry("level", "status"),
                entry("code", "NetConnection.Connect.Success"),
                entry("description", "Connection succeeded."));
    }

    @Test
    void eachInfoIsAFreshObjectTheCallerMayExtend() {
        AmfObject a = NetStreamStatus.PLAY_START.info(null);
        a.put("details", "live1");
        AmfObject b = NetStreamStatus.PLAY_START.info(null);
        assertThat(b).isNotSameAs(a).doesNotContainKey("details");
    }

    @Test
    void levelsOnTheWire() {
        assertThat(StatusLevel.STATUS.wire()).isEqualTo("status");
        assertThat(StatusLevel.WARNING.wire()).isEqualTo("warning");
        assertThat(StatusLevel.ERROR.wire()).isEqualTo("error");
    }
}
