package dev.agentkernel.client;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A file read through {@link AgentKernel#readFile}: the server sends valid UTF-8 text as is
 * and anything else as base64. {@link #bytes()} and {@link #text()} undo that either way.
 *
 * @param content  the text, or the base64 of the bytes
 * @param encoding how {@code content} is encoded
 * @param size     the file's size in bytes
 */
public record FileContent(String content, Encoding encoding, long size) {

    /** How {@link #content()} carries the file. */
    public enum Encoding {
        /** The file is UTF-8 text without NUL bytes; {@code content} is that text. */
        UTF8,
        /** The file is binary; {@code content} is its base64. */
        BASE64
    }

    /** Checks for nulls. */
    public FileContent {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(encoding, "encoding");
    }

    /**
     * Whether the server sent the file as base64 because it is not UTF-8 text.
     *
     * @return whether {@link #encoding()} is {@link Encoding#BASE64}
     */
    public boolean binary() {
        return encoding == Encoding.BASE64;
    }

    /**
     * The file's bytes.
     *
     * @return a new array on every call
     * @throws IllegalStateException if base64 content is malformed
     */
    public byte[] bytes() {
        return switch (encoding) {
            case UTF8 -> content.getBytes(StandardCharsets.UTF_8);
            case BASE64 -> {
                try {
                    yield Base64.getMimeDecoder().decode(content);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("the server sent malformed base64 content: " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * The file as text: {@link #content()} for text files; for binary ones the bytes decoded as
     * UTF-8, invalid sequences replaced by U+FFFD.
     *
     * @return the text
     */
    public String text() {
        return encoding == Encoding.UTF8 ? content : new String(bytes(), StandardCharsets.UTF_8);
    }
}
