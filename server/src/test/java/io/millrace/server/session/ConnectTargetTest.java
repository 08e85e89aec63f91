package io.millrace.server.session;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectTargetTest {

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            // app property, tcUrl, app, instance, query
            "vod, rtmp://h/vod, vod, _definst_, NULL",
            "vod/, rtmp://h/vod/, vod, _definst_, NULL",
            "vod/room1, rtmp://h:1935/vod/room1, vod, room1, NULL",
            "vod?token=abc, rtmp://h/vod?token=abc, vod, _definst_, token=abc",
            "vod/inst?a=1&b=2, NULL, vod, inst, a=1&b=2",
            "'', rtmp://h:1935/live/x, live, x, NULL",
            "NULL, rtmp://h/vod, vod, _definst_, NULL",
            "NULL, NULL, '', _definst_, NULL",
    })
    void parsesAppInstanceAndQuery(String app, String tcUrl, String expectedApp, String instance, String query) {
        ConnectTarget t = ConnectTarget.parse(app, tcUrl);
        assertThat(t.app()).isEqualTo(expectedApp);
        assertThat(t.instance()).isEqualTo(instance);
        assertThat(t.query()).isEqualTo(query);
    }
}
