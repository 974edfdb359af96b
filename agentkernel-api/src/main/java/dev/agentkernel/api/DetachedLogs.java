package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code GET /sandboxes/NAME/exec/detached/ID/logs}: what a background process wrote so far, as UTF-8
 * text (the published clients' {@code DetachedLogsResponse}). Only the last part of each stream is kept
 * (a few MiB); the {@code *_dropped} fields say how many bytes before it were dropped.
 *
 * @param stdout        its standard output, absent when only stderr was asked for
 * @param stderr        its standard error, absent when only stdout was asked for
 * @param stdoutDropped bytes of stdout dropped from the beginning (absent when none)
 * @param stderrDropped bytes of stderr dropped from the beginning (absent when none)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DetachedLogs(String stdout, String stderr, Long stdoutDropped, Long stderrDropped) {
}
