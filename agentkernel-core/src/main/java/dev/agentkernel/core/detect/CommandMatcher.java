package dev.agentkernel.core.detect;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the language of a command line from its program name: the last path segment of
 * {@code argv[0]}, so {@code /usr/bin/python3} is {@code python3}. A name that is in no row
 * of the table is tried again without a trailing version, so {@code python3.12},
 * {@code pip3}, {@code lua5.4} and {@code gcc-14} are found too. When the program is
 * {@code env}, the command env would run is used instead (see {@link EnvCommand}).
 */
final class CommandMatcher {

    /** A version at the end of a program name: {@code 3}, {@code 3.12}, {@code -14}. */
    private static final Pattern VERSION_SUFFIX = Pattern.compile("-?\\d+(?:\\.\\d+)*$");
    /** How many {@code env} wrappers are looked through before giving up. */
    private static final int MAX_ENV_WRAPPERS = 8;

    private CommandMatcher() {
    }

    /** The language of the program {@code argv} runs, if the table knows it. */
    static Optional<Language> match(List<String> argv) {
        List<String> command = argv;
        for (int wrappers = 0; !command.isEmpty() && wrappers <= MAX_ENV_WRAPPERS; wrappers++) {
            String name = programName(command.getFirst());
            if (!name.equals("env")) {
                return languageOfProgram(name);
            }
            command = EnvCommand.commandOf(command.subList(1, command.size()));
        }
        return Optional.empty();
    }

    /** The last segment of a program path; empty for a path ending in {@code /}. */
    static String programName(String argv0) {
        return argv0.substring(argv0.lastIndexOf('/') + 1);
    }

    private static Optional<Language> languageOfProgram(String name) {
        Optional<Language> exact = Language.forCommandName(name);
        if (exact.isPresent()) {
            return exact;
        }
        Matcher version = VERSION_SUFFIX.matcher(name);
        if (version.find() && version.start() > 0) {
            return Language.forCommandName(name.substring(0, version.start()));
        }
        return Optional.empty();
    }
}
