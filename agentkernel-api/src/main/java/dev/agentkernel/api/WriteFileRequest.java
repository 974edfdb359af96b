package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code PUT /sandboxes/NAME/files/PATH} with a JSON body (raw bytes go as
 * {@code application/octet-stream} instead).
 *
 * @param content  the file's text, or base64 with {@code encoding} base64
 * @param encoding {@code utf8} (default) or {@code base64}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record WriteFileRequest(@JsonProperty(required = true) String content, String encoding) {

    public WriteFileRequest {
        if (content == null) {
            throw Check.bad("content is required: the file's text, or base64 with \"encoding\": \"base64\"");
        }
        encoding = Check.optionalText(encoding, "encoding");
        if (encoding != null && !encoding.equals("utf8") && !encoding.equals("utf-8") && !encoding.equals("base64")) {
            throw Check.bad("encoding must be \"utf8\" or \"base64\", got \"" + encoding + "\"");
        }
    }

    /** {@code bytes}, base64. */
    public static WriteFileRequest of(byte[] bytes) {
        return new WriteFileRequest(Base64.getEncoder().encodeToString(bytes), "base64");
    }

    /** The bytes to write. */
    public byte[] bytes() {
        if ("base64".equals(encoding)) {
            try {
                return Base64.getDecoder().decode(content.replaceAll("[\\r\\n\\t ]", ""));
            } catch (IllegalArgumentException e) {
                throw Check.bad("content is not valid base64: " + e.getMessage());
            }
        }
        return content.getBytes(StandardCharsets.UTF_8);
    }
}
