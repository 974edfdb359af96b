package dev.agentkernel.client;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The API's URL paths, with names and file paths percent-encoded. Package-private. */
final class UrlPaths {

    private static final String HEX = "0123456789ABCDEF";

    private UrlPaths() {
    }

    /** {@code /sandboxes/{name}}. */
    static String sandbox(String name) {
        Objects.requireNonNull(name, "sandbox name");
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("sandbox name must be a name such as my-sandbox, got '" + name + "'");
        }
        return "/sandboxes/" + segment(name);
    }

    /** {@code /volumes/{name}}. */
    static String volume(String name) {
        Objects.requireNonNull(name, "volume name");
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("volume name must be a name such as data, got '" + name + "'");
        }
        return "/volumes/" + segment(name);
    }

    /** {@code /secrets/{name}}. */
    static String secret(String name) {
        Objects.requireNonNull(name, "secret name");
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("secret name must be a name such as OPENAI_API_KEY, got '" + name + "'");
        }
        return "/secrets/" + segment(name);
    }

    /** {@code /sessions/{id}}. */
    static String session(String id) {
        Objects.requireNonNull(id, "session id");
        if (id.isBlank() || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("session id must be an id such as ses-3f9c2a61d0b84e7f, got '" + id + "'");
        }
        return "/sessions/" + segment(id);
    }

    /** {@code /tasks/{id}}. */
    static String task(String id) {
        Objects.requireNonNull(id, "task id");
        if (id.isBlank() || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("task id must be an id such as task-3f9c2a61d0b84e7f, got '" + id + "'");
        }
        return "/tasks/" + segment(id);
    }

    /** {@code /images/{ref}}: the reference's {@code /} stay, everything else of it is a segment's. */
    static String image(String reference) {
        Objects.requireNonNull(reference, "image reference");
        if (reference.isBlank()) {
            throw new IllegalArgumentException("image reference must be a reference such as python:3.12, got '"
                    + reference + "'");
        }
        StringBuilder out = new StringBuilder("/images");
        for (String part : reference.strip().split("/", -1)) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("image reference must not contain '.' or '..' parts, got '"
                        + reference + "'");
            }
            out.append('/').append(segment(part));
        }
        return out.toString();
    }

    /** {@code /sandboxes/{name}/files/{path}}: a leading {@code /} of {@code path} is implied. */
    static String file(String sandbox, String path) {
        Objects.requireNonNull(path, "file path");
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        if (start == path.length()) {
            throw new IllegalArgumentException("file path must name a file, e.g. /workspace/main.py; got '" + path + "'");
        }
        StringBuilder out = new StringBuilder(sandbox(sandbox)).append("/files/");
        String[] parts = path.substring(start).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].equals(".") || parts[i].equals("..")) {
                // A URL normalizer would resolve them against the route itself: ../../x is DELETE /sandboxes/x.
                throw new IllegalArgumentException("file path must not contain '.' or '..' segments: give the plain "
                        + "path, e.g. /workspace/data.txt; got '" + path + "'");
            }
            if (i > 0) {
                out.append('/');
            }
            out.append(segment(parts[i]));
        }
        return out.toString();
    }

    /**
     * A path segment: letters, digits and {@code -._~!$&'()*,=:@} stay, everything else is UTF-8
     * percent-encoded ({@code +} and {@code ;} too, which some servers read as a space or a
     * parameter).
     */
    static String segment(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*,=:@".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            }
        }
        return out.toString();
    }
}
