package dev.agentkernel.image.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:<64 hex>}. Only sha256 and sha512 are accepted, so the
 * hex part is always safe to use as a file name.
 *
 * @param algorithm {@code sha256} or {@code sha512}
 * @param hex       the lower-case hex digest
 */
public record Digest(String algorithm, String hex) {

    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    /** Validates the parts. */
    public Digest {
        boolean ok = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!ok) {
            throw new OciFormatException("unsupported or malformed digest " + algorithm + ":" + hex
                    + " (expected sha256:<64 lower-case hex> or sha512:<128>)");
        }
    }

    /** Parses {@code algorithm:hex}. */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new OciFormatException("malformed digest '" + text + "' (expected sha256:<64 lower-case hex>)");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(bytes)));
    }

    /** A fresh message digest of this digest's algorithm. */
    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh SHA-256 message digest. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code bytes} hash to this digest. */
    public boolean matches(byte[] bytes) {
        return HexFormat.of().formatHex(newMessageDigest().digest(bytes)).equals(hex);
    }

    /** The first 12 hex digits, for messages and progress lines. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
