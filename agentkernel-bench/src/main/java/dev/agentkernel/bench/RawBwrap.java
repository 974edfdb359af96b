package dev.agentkernel.bench;

/**
 * Shell quoting for running raw bubblewrap next to AgentKernel. The arguments themselves come from the backend
 * ({@code IsolationBackend.commandLine}), so the baseline runs exactly the same isolation.
 */
final class RawBwrap {
    private RawBwrap() {
    }

    /** Quotes a word for {@code /bin/sh}. */
    static String shellQuote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
