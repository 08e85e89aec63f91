package io.millrace.rtmp.command;

/** NetConnection status codes (FMS client-side ActionScript reference, "NetConnection information objects"). */
public enum NetConnectionStatus implements Status {
    CONNECT_SUCCESS("NetConnection.Connect.Success", StatusLevel.STATUS, "Connection succeeded."),
    CONNECT_CLOSED("NetConnection.Connect.Closed", StatusLevel.STATUS, "Connection closed."),
    CONNECT_FAILED("NetConnection.Connect.Failed", StatusLevel.ERROR, "Connection failed."),
    CONNECT_REJECTED("NetConnection.Connect.Rejected", StatusLevel.ERROR, "Connection rejected."),
    CONNECT_INVALID_APP("NetConnection.Connect.InvalidApp", StatusLevel.ERROR, "Application not found."),
    CONNECT_APP_SHUTDOWN("NetConnection.Connect.AppShutdown", StatusLevel.ERROR, "Application shut down."),
    CONNECT_IDLE_TIMEOUT("NetConnection.Connect.IdleTimeout", StatusLevel.STATUS, "Connection closed: idle too long."),
    CALL_FAILED("NetConnection.Call.Failed", StatusLevel.ERROR, "Call failed."),
    CALL_BAD_VERSION("NetConnection.Call.BadVersion", StatusLevel.ERROR, "Bad packet or protocol version."),
    CALL_PROHIBITED("NetConnection.Call.Prohibited", StatusLevel.ERROR, "Call prohibited.");

    private final String code;
    private final StatusLevel level;
    private final String description;

    NetConnectionStatus(String code, StatusLevel level, String description) {
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
