package dev.agentkernel.core.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a Heroku-style {@code Procfile}: one {@code name: command} line per process type.
 * Blank lines, {@code #} comments and lines that are not of that form are ignored. Each
 * command is split into words like a shell would ({@link ShellWords}) and leading
 * {@code NAME=value} assignments are dropped, so {@code web: PORT=80 node server.js}
 * yields {@code node server.js}.
 */
final class Procfile {

    /** The file name Heroku and detection look for. */
    static final String FILE_NAME = "Procfile";

    private static final Pattern PROCESS_LINE = Pattern.compile("([A-Za-z0-9_-]+)\\s*:\\s*(.*)");
    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);

    private Procfile() {
    }

    /** The commands of {@code text}, in file order, each as argv; commands with no words are left out. */
    static List<List<String>> commands(String text) {
        List<List<String>> commands = new ArrayList<>();
        for (String rawLine : text.lines().toList()) {
            String line = rawLine.strip();
            Matcher process = PROCESS_LINE.matcher(line);
            if (line.startsWith("#") || !process.matches()) {
                continue;
            }
            List<String> words = ShellWords.split(process.group(2));
            int first = 0;
            while (first < words.size() && ASSIGNMENT.matcher(words.get(first)).matches()) {
                first++;
            }
            if (first < words.size()) {
                commands.add(List.copyOf(words.subList(first, words.size())));
            }
        }
        return commands;
    }
}
