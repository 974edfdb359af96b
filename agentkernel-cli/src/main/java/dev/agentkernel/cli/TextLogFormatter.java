package dev.agentkernel.cli;

import dev.agentkernel.core.audit.RequestId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * {@link LogFormat#TEXT}: {@code 2026-12-07T04:20:00.123Z INFO dev.agentkernel.access GET /health 200 1ms route=/health request_id=ID},
 * one line per record (a thrown exception's stack trace follows), the request id of the request
 * being served on the logging thread when there is one. Package-private.
 */
final class TextLogFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        StringBuilder b = new StringBuilder();
        b.append(record.getInstant()).append(' ').append(JsonLogFormatter.level(record.getLevel())).append(' ')
                .append(record.getLoggerName()).append(' ').append(oneLine(message(this, record)));
        RequestId.current().ifPresent(id -> b.append(" request_id=").append(id));
        b.append(System.lineSeparator());
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            b.append(trace);
        }
        return b.toString();
    }

    /** The record's message: as is when its parameters are fields (a map), else formatted with them. */
    static String message(Formatter formatter, LogRecord record) {
        Object[] params = record.getParameters();
        if (params != null && params.length == 1 && params[0] instanceof Map) {
            return record.getMessage() == null ? "" : record.getMessage();
        }
        String m = formatter.formatMessage(record);
        return m == null ? "" : m;
    }

    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
