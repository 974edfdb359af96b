package dev.agentkernel.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Tells from {@code /proc} whether a pid is a live agentkernel daemon: a process that is not
 * a zombie and whose command line runs {@code dev.agentkernel.cli.Main serve}. A pid file
 * naming anything else (an exited daemon, a reused pid) is stale.
 */
final class DaemonProcesses {

    static final String MAIN_CLASS = "dev.agentkernel.cli.Main";
    private static final Path PROC = Path.of("/proc");

    private DaemonProcesses() {
    }

    /** Whether {@code pid} is a live daemon. */
    static boolean isDaemon(long pid) {
        return isAlive(pid) && commandLine(pid).map(DaemonProcesses::isDaemonCommandLine).orElse(false);
    }

    /** Whether a command line runs the CLI's main class with {@code serve} after it. */
    static boolean isDaemonCommandLine(List<String> argv) {
        int main = argv.indexOf(MAIN_CLASS);
        return main >= 0 && argv.subList(main + 1, argv.size()).contains("serve");
    }

    /** Whether {@code pid} exists and has not exited (a zombie has exited, even if not yet reaped). */
    static boolean isAlive(long pid) {
        try {
            return !isZombieStat(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a {@code /proc/PID/stat} line says the process exited: state Z (zombie) or X (dead). */
    static boolean isZombieStat(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return true;
        }
        char state = stat.charAt(close + 2);
        return state == 'Z' || state == 'X';
    }

    /** The arguments of {@code pid}'s command line; empty when it cannot be read. */
    static Optional<List<String>> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            if (raw.length == 0) {
                return Optional.empty();
            }
            String text = new String(raw, StandardCharsets.UTF_8);
            if (text.endsWith("\0")) {
                text = text.substring(0, text.length() - 1);
            }
            return Optional.of(Arrays.asList(text.split("\0", -1)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
