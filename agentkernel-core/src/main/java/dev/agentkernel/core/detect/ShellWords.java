package dev.agentkernel.core.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command string into words the way a POSIX shell does for simple commands:
 * unquoted whitespace separates words, single quotes keep everything literally, double
 * quotes keep whitespace and honour backslash escapes, an unquoted backslash escapes the
 * next character. Nothing is expanded. An unterminated quote runs to the end of the text.
 */
final class ShellWords {

    private ShellWords() {
    }

    /** The words of {@code text}, in order; empty for blank text. */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i++);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            switch (c) {
                case '\'' -> {
                    int end = text.indexOf('\'', i);
                    int stop = end < 0 ? text.length() : end;
                    word.append(text, i, stop);
                    i = end < 0 ? stop : end + 1;
                }
                case '"' -> {
                    while (i < text.length() && text.charAt(i) != '"') {
                        char d = text.charAt(i++);
                        if (d == '\\' && i < text.length() && "\"\\$`".indexOf(text.charAt(i)) >= 0) {
                            d = text.charAt(i++);
                        }
                        word.append(d);
                    }
                    i = Math.min(i + 1, text.length());
                }
                case '\\' -> {
                    if (i < text.length()) {
                        word.append(text.charAt(i++));
                    }
                }
                default -> word.append(c);
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
