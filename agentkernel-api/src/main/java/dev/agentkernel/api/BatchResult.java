package dev.agentkernel.api;

import java.util.List;

/**
 * {@code POST /batch/run}: one entry per command, in order.
 *
 * @param results the entries
 */
public record BatchResult(List<BatchItem> results) {
    public BatchResult {
        results = Check.list(results, "results");
    }
}
