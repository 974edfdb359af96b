package dev.agentkernel.cli;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.image.HostImages;
import dev.agentkernel.image.ImageService;
import java.util.Locale;

/** What the image commands share: the host's image store and how sizes and digests read. */
final class ImageText {

    /** Where the store is and that no daemon is needed, for the commands' help. */
    static final String STORE = "Works on this host's image store (STATE/images, STATE from AGENTKERNEL_STATE_DIR) "
            + "directly: no daemon is needed.";

    private ImageText() {
    }

    /** Opens this host's image store (the caller closes it). */
    static ImageService open() {
        return HostImages.open(HostContext.current());
    }

    /** A digest's first 12 hex digits, as Docker shows it: {@code sha256:0123456789ab} becomes {@code 0123456789ab}. */
    static String shortDigest(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** Bytes in decimal units as Docker prints them: {@code 512 B}, {@code 1.2 kB}, {@code 34.5 MB}. */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }
}
