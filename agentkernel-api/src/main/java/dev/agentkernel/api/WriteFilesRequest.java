package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /sandboxes/NAME/files}: several files in one request, written in order, each with
 * its missing parent directories. A relative path is under the sandbox's {@code /workspace}.
 *
 * @param files    path → content (at most {@value #MAX_FILES})
 * @param encoding {@code utf8} (default) or {@code base64}, for every content
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record WriteFilesRequest(@JsonProperty(required = true) Map<String, String> files, String encoding) {

    /** The most files one request may write. */
    public static final int MAX_FILES = 1000;

    public WriteFilesRequest {
        Check.required(files, "files", "{\"files\": {\"main.py\": \"print(1)\"}}");
        if (files.isEmpty()) {
            throw Check.bad("files must name at least one file, e.g. {\"files\": {\"main.py\": \"print(1)\"}}");
        }
        if (files.size() > MAX_FILES) {
            throw Check.bad("files names " + files.size() + " files; at most " + MAX_FILES + " per request");
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            if (file.getKey().isBlank() || file.getKey().indexOf('\0') >= 0 || file.getKey().length() > 4096) {
                throw Check.bad("files: every path must be a non-empty path without NUL bytes, at most 4096 characters");
            }
            if (file.getValue() == null) {
                throw Check.bad("files: the content of " + file.getKey() + " must be a string");
            }
        }
        files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
        encoding = Check.optionalText(encoding, "encoding");
        if (encoding != null && !encoding.equals("utf8") && !encoding.equals("utf-8") && !encoding.equals("base64")) {
            throw Check.bad("encoding must be \"utf8\" or \"base64\", got \"" + encoding + "\"");
        }
    }

    /** Sandbox path → bytes, in the request's order; relative paths under {@code /workspace}. */
    public Map<String, byte[]> contents() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> file : files.entrySet()) {
            String path = file.getKey().startsWith("/") ? file.getKey() : "/workspace/" + file.getKey();
            byte[] bytes;
            if ("base64".equals(encoding)) {
                try {
                    bytes = Base64.getDecoder().decode(file.getValue().replaceAll("[\\r\\n\\t ]", ""));
                } catch (IllegalArgumentException e) {
                    throw Check.bad("files: the content of " + file.getKey() + " is not valid base64: " + e.getMessage());
                }
            } else {
                bytes = file.getValue().getBytes(StandardCharsets.UTF_8);
            }
            if (out.put(path, bytes) != null) {
                throw Check.bad("files names " + path + " twice");
            }
        }
        return out;
    }
}
