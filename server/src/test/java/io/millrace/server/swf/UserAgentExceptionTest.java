package io.millrace.server.swf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserAgentExceptionTest {

    @Test
    void rangesCompareVersionsNumberByNumber() {
        UserAgentException e = UserAgentException.parse("WIN 9,0,0,0 .. WIN 9,0,115,0");
        assertThat(e.covers("WIN 9,0,0,0")).isTrue();
        assertThat(e.covers("WIN 9,0,28,0")).isTrue();
        assertThat(e.covers("WIN 9,0,115,0")).isTrue();
        assertThat(e.covers("win 9,0,100,0")).isTrue();
        assertThat(e.covers("WIN 9,0,115,1")).isFalse();
        assertThat(e.covers("WIN 10,0,0,0")).isFalse();
        assertThat(e.covers("WIN 8,9,999,0")).isFalse();
        assertThat(e.covers("MAC 9,0,28,0")).isFalse();
        assertThat(e.covers("FMLE/3.0 (compatible; FMSc/1.0)")).isFalse();
        assertThat(e.covers(null)).isFalse();
        assertThat(UserAgentException.parse("LNX 9 .. LNX 10").covers("LNX 9,0,124,2")).isTrue();
    }

    @Test
    void anythingElseIsAPrefix() {
        UserAgentException e = UserAgentException.parse("FMLE/");
        assertThat(e.covers("FMLE/3.0 (compatible; FMSc/1.0)")).isTrue();
        assertThat(e.covers("fmle/3.0")).isFalse();
        assertThat(e.covers("WIN 9,0,28,0")).isFalse();
        assertThat(e.toString()).isEqualTo("FMLE/");
    }

    @Test
    void badEntriesAreRefused() {
        assertThatThrownBy(() -> UserAgentException.parse("  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UserAgentException.parse("WIN 9,0,0,0 .. MAC 9,0,0,0"))
                .hasMessageContaining("same platform");
        assertThatThrownBy(() -> UserAgentException.parse("WIN 10,0,0,0 .. WIN 9,0,0,0"))
                .hasMessageContaining("ends before");
        assertThatThrownBy(() -> UserAgentException.parse("WIN 9.0 .. WIN 10"))
                .hasMessageContaining("PLATFORM a,b,c,d");
    }
}
