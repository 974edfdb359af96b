package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The MCP {@code background_logs} result: a background process with what it wrote so far (the last part of
 * each stream; the {@code *_dropped} fields say how many bytes before it were dropped).
 *
 * @param process       the process now
 * @param stdout        its standard output so far
 * @param stderr        its standard error so far
 * @param stdoutDropped bytes of stdout dropped from the beginning (absent when none)
 * @param stderrDropped bytes of stderr dropped from the beginning (absent when none)
 */
public record DetachedOutput(DetachedCommand process, String stdout, String stderr,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long stdoutDropped,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long stderrDropped) {
}
