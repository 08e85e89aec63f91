package io.millrace.rtmp.command;

/** NetStream status codes (FMS client-side ActionScript reference, "NetStream information objects"). */
public enum NetStreamStatus implements Status {
    PLAY_START("NetStream.Play.Start", StatusLevel.STATUS, "Started playing."),
    PLAY_RESET("NetStream.Play.Reset", StatusLevel.STATUS, "Playing and resetting."),
    PLAY_STOP("NetStream.Play.Stop", StatusLevel.STATUS, "Stopped playing."),
    PLAY_FAILED("NetStream.Play.Failed", StatusLevel.ERROR, "Play failed."),
    PLAY_STREAM_NOT_FOUND("NetStream.Play.StreamNotFound", StatusLevel.ERROR, "Stream not found."),
    PLAY_COMPLETE("NetStream.Play.Complete", StatusLevel.STATUS, "Playback complete."),
    PLAY_SWITCH("NetStream.Play.Switch", StatusLevel.STATUS, "Switching to the next item."),
    PLAY_INSUFFICIENT_BW("NetStream.Play.InsufficientBW", StatusLevel.WARNING, "Insufficient bandwidth."),
    PLAY_PUBLISH_NOTIFY("NetStream.Play.PublishNotify", StatusLevel.STATUS, "Publishing started."),
    PLAY_UNPUBLISH_NOTIFY("NetStream.Play.UnpublishNotify", StatusLevel.STATUS, "Publishing stopped."),
    PLAY_FILE_STRUCTURE_INVALID("NetStream.Play.FileStructureInvalid", StatusLevel.ERROR, "Invalid file structure."),
    PLAY_NO_SUPPORTED_TRACK_FOUND("NetStream.Play.NoSupportedTrackFound", StatusLevel.ERROR, "No supported track found."),
    SEEK_NOTIFY("NetStream.Seek.Notify", StatusLevel.STATUS, "Seeking."),
    SEEK_FAILED("NetStream.Seek.Failed", StatusLevel.ERROR, "Seek failed."),
    PAUSE_NOTIFY("NetStream.Pause.Notify", StatusLevel.STATUS, "Pausing."),
    UNPAUSE_NOTIFY("NetStream.Unpause.Notify", StatusLevel.STATUS, "Unpausing."),
    DATA_START("NetStream.Data.Start", StatusLevel.STATUS, "Data start."),
    PUBLISH_START("NetStream.Publish.Start", StatusLevel.STATUS, "Publishing."),
    PUBLISH_BAD_NAME("NetStream.Publish.BadName", StatusLevel.ERROR, "Stream name already in use."),
    PUBLISH_IDLE("NetStream.Publish.Idle", StatusLevel.STATUS, "Publisher is idle."),
    PUBLISH_DENIED("NetStream.Publish.Denied", StatusLevel.ERROR, "Publishing is not allowed."),
    RECORD_START("NetStream.Record.Start", StatusLevel.STATUS, "Recording."),
    RECORD_STOP("NetStream.Record.Stop", StatusLevel.STATUS, "Stopped recording."),
    RECORD_NO_ACCESS("NetStream.Record.NoAccess", StatusLevel.ERROR, "No access to record the stream."),
    RECORD_FAILED("NetStream.Record.Failed", StatusLevel.ERROR, "Recording failed."),
    UNPUBLISH_SUCCESS("NetStream.Unpublish.Success", StatusLevel.STATUS, "Stopped publishing."),
    FAILED("NetStream.Failed", StatusLevel.ERROR, "Stream operation failed.");

    private final String code;
    private final StatusLevel level;
    private final String description;

    NetStreamStatus(String code, StatusLevel level, String description) {
        this.code = code;
        this.level = level;
        this.description = description;
    }

    @Override
    public String code() {
        return code;
    }

    @Override
    public StatusLevel level() {
        return level;
    }

    @Override
    public String defaultDescription() {
        return description;
    }
}
