package dev.agentkernel.cli;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where {@code code} and {@code task dispatch} take their code from: the one argument, the file
 * of {@code -f}, or stdin for {@code -} (as the argument or as {@code -f -}). Package-private.
 */
final class CodeSource {
    private CodeSource() {
    }

    /**
     * The code, not blank.
     *
     * @param words   the positional arguments that may hold the code
     * @param file    the value of {@code -f}, or null
     * @param command how the command is typed in examples, e.g. {@code agentkernel code}
     */
    static String read(List<String> words, String file, Supplier<InputStream> stdin, String command) throws IOException {
        if (file != null && !words.isEmpty()) {
            throw new InvalidRequestException("give the code as an argument or with -f FILE, not both");
        }
        if (words.size() > 1) {
            throw new InvalidRequestException("unexpected argument '" + words.get(1) + "': give the code as one "
                    + "argument (quote it), e.g. " + command + " 'print(1 + 1)'");
        }
        String code;
        if (file == null && words.isEmpty()) {
            throw new InvalidRequestException("no code given: try " + command + " 'print(1 + 1)', -f script.py, "
                    + "or - to read stdin");
        } else if ("-".equals(file) || file == null && words.getFirst().equals("-")) {
            code = new String(stdin.get().readAllBytes(), StandardCharsets.UTF_8);
        } else if (file != null) {
            try {
                code = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new NotFoundException("'" + file + "' does not exist");
            } catch (java.nio.charset.MalformedInputException e) {
                throw new InvalidRequestException("'" + file + "' is not UTF-8 text");
            } catch (IOException e) {
                throw new InvalidRequestException("cannot read '" + file + "': " + e.getMessage());
            }
        } else {
            code = words.getFirst();
        }
        if (code.isBlank()) {
            throw new InvalidRequestException("the code is empty");
        }
        return code;
    }
}
