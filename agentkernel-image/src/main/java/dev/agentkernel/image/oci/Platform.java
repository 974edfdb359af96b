package dev.agentkernel.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Objects;

/**
 * The platform of an image: operating system, architecture (GOARCH names) and variant.
 *
 * @param os           {@code linux}
 * @param architecture {@code amd64}, {@code arm64}, ...
 * @param variant      {@code v8} for arm64, {@code v7} for arm, or empty
 */
public record Platform(String os, String architecture, String variant) {

    /** Checks the parts. */
    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        variant = variant == null ? "" : variant;
    }

    /** The platform of this JVM's host, in OCI names ({@code os.arch} amd64/x86_64 and aarch64/arm64). */
    public static Platform host() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> new Platform("linux", "amd64", "");
            case "aarch64", "arm64" -> new Platform("linux", "arm64", "v8");
            case "arm" -> new Platform("linux", "arm", "v7");
            case "ppc64le", "s390x", "riscv64" -> new Platform("linux", arch, "");
            default -> new Platform("linux", arch, "");
        };
    }

    /** Parses {@code os/arch[/variant]}, as given on a command line. */
    public static Platform parse(String text) {
        String[] parts = text.split("/");
        if (parts.length < 2 || parts.length > 3) {
            throw new OciFormatException("platform '" + text + "' is not os/arch[/variant], e.g. linux/arm64");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
    }

    static Platform fromJson(JsonNode node) {
        return new Platform(node.path("os").asText(""), node.path("architecture").asText(""),
                node.path("variant").asText(""));
    }

    /**
     * Whether an image of platform {@code candidate} runs here: same os and architecture, and the
     * same variant when both name one (arm64 images usually omit {@code v8}).
     */
    public boolean accepts(Platform candidate) {
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
            return false;
        }
        return variant.isEmpty() || candidate.variant.isEmpty() || variant.equals(candidate.variant);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
