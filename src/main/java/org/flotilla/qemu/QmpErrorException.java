package org.flotilla.qemu;

/** QEMU answered a command with an error: {@code {"error": {"class": ..., "desc": ...}}}. */
public final class QmpErrorException extends QmpException {
    private static final long serialVersionUID = 1L;
    private final String command;
    private final String errorClass;
    private final String desc;

    public QmpErrorException(String command, String errorClass, String desc) {
        super("QMP command '" + command + "' failed: " + errorClass + ": " + desc);
        this.command = command;
        this.errorClass = errorClass;
        this.desc = desc;
    }

    /** The command that failed. */
    public String command() {
        return command;
    }

    /** QEMU's error class, e.g. {@code GenericError}, {@code CommandNotFound}, {@code DeviceNotActive}. */
    public String errorClass() {
        return errorClass;
    }

    /** QEMU's human-readable description. */
    public String desc() {
        return desc;
    }
}
