package dev.agentkernel.agent;

import java.util.List;

/** Recognises the reports of AddressSanitizer, LeakSanitizer and UBSan in a process's stderr. */
final class SanitizerReports {

    /** What each sanitizer's report starts with (UBSan: "file:line:col: runtime error: ..."). */
    static final List<String> MARKERS = List.of("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
            "LeakSanitizer has encountered a fatal error");

    private SanitizerReports() {
    }

    /** The markers present in {@code stderr}; empty if none. */
    static List<String> find(String stderr) {
        return MARKERS.stream().filter(stderr::contains).toList();
    }
}
