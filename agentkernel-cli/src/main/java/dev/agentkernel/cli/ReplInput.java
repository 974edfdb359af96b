package dev.agentkernel.cli;

import java.util.List;
import java.util.Locale;

/**
 * When the REPL asks for another line ({@code ... }) before it sends a block, by language. The
 * rules are simple on purpose, and a blank line always sends what was typed:
 * <ul>
 *   <li>Python: a line that ends with {@code :} starts a block that only a blank line ends; an
 *       open bracket or triple-quoted string, or a trailing {@code \}, asks for more.</li>
 *   <li>Node.js: an open bracket, brace or template string asks for more.</li>
 *   <li>bash: an open bracket, brace or parenthesis, or a trailing {@code \}, asks for more (end
 *       the lines of a {@code for ... do} or {@code if ... then} with {@code \}, or write them on
 *       one line with {@code ;}).</li>
 * </ul>
 * Brackets inside strings and comments ({@code #} in Python, {@code #} at a word's start in bash,
 * {@code //} and {@code /* *}{@code /} in JavaScript) do not count. An unknown language is read
 * line by line.
 */
final class ReplInput {

    /** The interpreter a session runs, as far as reading input goes. */
    enum Language {
        PYTHON("py> "), NODE("js> "), BASH("sh> "), OTHER("> ");

        final String prompt;

        Language(String prompt) {
            this.prompt = prompt;
        }

        /** The language of a template or one of its aliases (docs/code-sessions.md). */
        static Language of(String template) {
            return switch (template == null ? "python" : template.strip().toLowerCase(Locale.ROOT)) {
                case "python", "python3", "py" -> PYTHON;
                case "node", "nodejs", "js", "javascript" -> NODE;
                case "bash", "sh", "shell" -> BASH;
                default -> OTHER;
            };
        }
    }

    /** The prompt of a continuation line. */
    static final String CONTINUATION = "... ";

    private ReplInput() {
    }

    /** Whether the block of {@code lines} (none of them blank) needs more lines before it is sent. */
    static boolean needsMore(Language language, List<String> lines) {
        if (lines.isEmpty()) {
            return false;
        }
        String last = lines.getLast().stripTrailing();
        return switch (language) {
            case PYTHON -> lines.stream().anyMatch(l -> withoutComment(l, '#').stripTrailing().endsWith(":"))
                    || last.endsWith("\\") || open(String.join("\n", lines), language);
            case NODE -> open(String.join("\n", lines), language);
            case BASH -> last.endsWith("\\") || open(String.join("\n", lines), language);
            case OTHER -> false;
        };
    }

    /** Whether a bracket or a string (Python's triple-quoted, JavaScript's template) is left open. */
    static boolean open(String text, Language language) {
        int depth = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            boolean hash = c == '#' && (language == Language.PYTHON
                    || language == Language.BASH && (i == 0 || Character.isWhitespace(text.charAt(i - 1))));
            if (hash || c == '/' && language == Language.NODE && next(text, i) == '/') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && language == Language.NODE && next(text, i) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    return true;
                }
                i = end + 2;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`' && language == Language.NODE) {
                boolean triple = language == Language.PYTHON && text.startsWith(String.valueOf(c).repeat(3), i);
                String close = triple ? String.valueOf(c).repeat(3) : String.valueOf(c);
                boolean multiLine = triple || c == '`' || language == Language.BASH;
                i += close.length();
                boolean closed = false;
                while (i < n) {
                    char d = text.charAt(i);
                    if (d == '\\' && !(language == Language.BASH && c == '\'')) {
                        i += 2;
                        continue;
                    }
                    if (text.startsWith(close, i)) {
                        i += close.length();
                        closed = true;
                        break;
                    }
                    if (d == '\n' && !multiLine) {
                        break; // a plain string ends with its line: the interpreter will say it is unterminated
                    }
                    i++;
                }
                if (!closed && (multiLine || i >= n)) {
                    return multiLine;
                }
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            }
            i++;
        }
        return depth > 0;
    }

    private static char next(String text, int i) {
        return i + 1 < text.length() ? text.charAt(i + 1) : 0;
    }

    /** The line without a comment that starts with {@code marker} outside quotes (a rough cut: enough for a trailing {@code :}). */
    private static String withoutComment(String line, char marker) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == marker) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
