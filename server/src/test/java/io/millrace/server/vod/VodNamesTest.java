package io.millrace.server.vod;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class VodNamesTest {
    @TempDir
    Path root;
    Path media;
    VodNames names;

    @BeforeEach
    void setUp() throws Exception {
        media = Files.createDirectories(root.resolve("media"));
        Files.write(media.resolve("sample.flv"), new byte[]{1});
        Files.createDirectories(media.resolve("clips"));
        Files.write(media.resolve("clips/intro.flv"), new byte[]{1});
        Files.write(root.resolve("secret.flv"), new byte[]{1});
        names = new VodNames(media);
    }

    @Test
    void fmsVodNames() throws Exception {
        Path sample = media.resolve("sample.flv").toRealPath();
        assertThat(names.resolve("sample").file()).isEqualTo(sample);
        assertThat(names.resolve("flv:sample").file()).isEqualTo(sample);
        assertThat(names.resolve("sample.flv").file()).isEqualTo(sample);
        assertThat(names.resolve("/sample").file()).isEqualTo(sample);
        assertThat(names.resolve("sample?token=abc").file()).isEqualTo(sample);
        assertThat(names.resolve("clips/intro").file()).isEqualTo(media.resolve("clips/intro.flv").toRealPath());
    }

    @Test
    void missingIsNeitherFoundNorRefused() {
        VodNames.Resolution r = names.resolve("nothere");
        assertThat(r.found()).isFalse();
        assertThat(r.refused()).isFalse();
    }

    @Test
    void namesLeavingTheMediaFolderAreRefused() throws Exception {
        assertThat(names.resolve("../secret").refused()).isTrue();
        assertThat(names.resolve("clips/../../secret").refused()).isTrue();
        assertThat(names.resolve("flv:../secret").refused()).isTrue();
        assertThat(names.resolve("..\\secret").refused()).isTrue();
        Files.createSymbolicLink(media.resolve("link.flv"), root.resolve("secret.flv"));
        assertThat(names.resolve("link").refused()).isTrue();
        Files.createSymbolicLink(media.resolve("outside"), root);
        assertThat(names.resolve("outside/secret").refused()).isTrue();
    }

    @Test
    void absolutePathsStayInsideTheMediaFolder() {
        // FMS names like "/myVideo" are relative to the media folder, so "/etc/passwd" is media/etc/passwd.flv
        VodNames.Resolution r = names.resolve(root.resolve("secret").toString());
        assertThat(r.found()).isFalse();
    }

    @Test
    void mp4AndMp3NamesAsFmsVodService() throws Exception {
        for (String f : new String[]{"movie.mp4", "clip.f4v", "a.m4v", "song.m4a", "q.mov", "phone.3gp", "track.mp3", "noext"}) {
            Files.write(media.resolve(f), new byte[]{1});
        }
        assertThat(names.resolve("mp4:movie.mp4").file()).isEqualTo(media.resolve("movie.mp4").toRealPath());
        assertThat(names.resolve("mp4:movie.mp4").format()).isEqualTo(VodNames.Format.MP4);
        assertThat(names.resolve("mp4:movie").file()).isEqualTo(media.resolve("movie.mp4").toRealPath());
        assertThat(names.resolve("mp4:clip").file()).isEqualTo(media.resolve("clip.f4v").toRealPath());
        assertThat(names.resolve("mp4:noext").file()).isEqualTo(media.resolve("noext").toRealPath());
        for (String f : new String[]{"clip.f4v", "a.m4v", "song.m4a", "q.mov", "phone.3gp"}) {
            assertThat(names.resolve("mp4:" + f).found()).as(f).isTrue();
            assertThat(names.resolve(f).format()).as("plain " + f).isEqualTo(VodNames.Format.MP4);
            assertThat(names.resolve(f).found()).as("plain " + f).isTrue();
        }
        assertThat(names.resolve("mp3:track").file()).isEqualTo(media.resolve("track.mp3").toRealPath());
        assertThat(names.resolve("mp3:track.mp3").format()).isEqualTo(VodNames.Format.MP3);
        assertThat(names.resolve("track.mp3").format()).isEqualTo(VodNames.Format.MP3);
        assertThat(names.resolve("mp4:../secret").refused()).isTrue();
        assertThat(names.resolve("raw:thing").refused()).isTrue();
        assertThat(names.resolve("mp4:missing.mp4").found()).isFalse();
    }
}
