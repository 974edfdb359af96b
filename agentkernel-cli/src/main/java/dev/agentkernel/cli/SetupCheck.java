package dev.agentkernel.cli;

import java.util.Optional;

/**
 * The result of one check of {@code agentkernel doctor} / {@code setup}.
 *
 * @param name   what was checked, e.g. {@code isolation backend}
 * @param passed whether it works
 * @param detail what was found
 * @param fix    what to do when it does not work
 */
record SetupCheck(String name, boolean passed, String detail, Optional<String> fix) {

    static SetupCheck pass(String name, String detail) {
        return new SetupCheck(name, true, detail, Optional.empty());
    }

    static SetupCheck fail(String name, String detail, String fix) {
        return new SetupCheck(name, false, detail, Optional.of(fix));
    }

    /** {@code ✓ name  detail} or {@code ✗ name  detail — fix: ...}. */
    String line(int nameWidth) {
        return (passed ? "✓ " : "✗ ") + String.format("%-" + nameWidth + "s", name) + "  " + detail
                + fix.map(f -> "\n    fix: " + f).orElse("");
    }
}
