package dev.agentkernel.core.detect;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Finds the command an {@code env} invocation runs, by skipping env's own options and
 * {@code NAME=VALUE} assignments the way GNU and BSD env parse them: options come first
 * (parsing stops at {@code --} or at the first non-option), then assignments (any word
 * containing {@code =}), then the command. Options taking a value ({@code -u}, {@code -C},
 * {@code -a}, {@code -P}, {@code -S} and their long forms) consume it, in the same word or
 * the next. The value of {@code -S}/{@code --split-string} is split into words that are
 * parsed as if they had been given on the command line, so {@code env -S "python3 -u"}
 * runs {@code python3}.
 */
final class EnvCommand {

    private static final String SHORT_WITH_VALUE = "uCaPS";
    private static final Set<String> LONG_WITH_VALUE = Set.of("--unset", "--chdir", "--argv0", "--split-string");

    private EnvCommand() {
    }

    /**
     * The command and its arguments that {@code env} would run when given {@code envArgs}
     * (everything after {@code env} itself); empty if there is none, e.g. {@code env FOO=1}.
     */
    static List<String> commandOf(List<String> envArgs) {
        Deque<String> rest = new ArrayDeque<>(envArgs);
        boolean options = true;
        while (!rest.isEmpty()) {
            String arg = rest.peekFirst();
            if (options && arg.startsWith("-")) {
                rest.removeFirst();
                if (arg.equals("--")) {
                    options = false;
                } else if (arg.startsWith("--")) {
                    skipLongOption(arg, rest);
                } else {
                    skipShortOptions(arg, rest);
                }
            } else if (arg.indexOf('=') >= 0) {
                rest.removeFirst();
                options = false;
            } else {
                return List.copyOf(rest);
            }
        }
        return List.of();
    }

    private static void skipLongOption(String arg, Deque<String> rest) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        if (!LONG_WITH_VALUE.contains(name)) {
            return;
        }
        String value = eq >= 0 ? arg.substring(eq + 1) : rest.pollFirst();
        if (name.equals("--split-string") && value != null) {
            pushWords(value, rest);
        }
    }

    /** A cluster such as {@code -i}, {@code -iu HOME} or {@code -uHOME}; a lone {@code -} means {@code -i}. */
    private static void skipShortOptions(String arg, Deque<String> rest) {
        for (int i = 1; i < arg.length(); i++) {
            char option = arg.charAt(i);
            if (SHORT_WITH_VALUE.indexOf(option) >= 0) {
                String value = i + 1 < arg.length() ? arg.substring(i + 1) : rest.pollFirst();
                if (option == 'S' && value != null) {
                    pushWords(value, rest);
                }
                return;
            }
        }
    }

    private static void pushWords(String value, Deque<String> rest) {
        List<String> words = ShellWords.split(value);
        for (int i = words.size() - 1; i >= 0; i--) {
            rest.addFirst(words.get(i));
        }
    }
}
