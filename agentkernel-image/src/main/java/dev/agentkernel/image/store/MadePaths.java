package dev.agentkernel.image.store;

import java.util.HashSet;
import java.util.Set;

/**
 * What one unpack has made (or queued) under its layer directory, which starts empty and is
 * private to it, so most entries need no {@code lstat}: a path never made cannot exist, and a
 * directory made or checked is still a real directory until something is removed. Paths are
 * relative to the layer directory, components joined with {@code /}.
 */
final class MadePaths {

    private final Set<String> made = new HashSet<>();
    private final Set<String> directories = new HashSet<>();

    /** Whether {@code path} may exist: false means it certainly does not. */
    boolean mayExist(String path) {
        return made.contains(path);
    }

    /** Whether {@code path} is known to be a directory (not a symbolic link). */
    boolean isDirectory(String path) {
        return directories.contains(path);
    }

    /** Records that {@code path} was made (or queued to be) as something other than a directory. */
    void made(String path) {
        made.add(path);
        directories.remove(path);
    }

    /** Records that {@code path} is a directory, made or checked. */
    void directory(String path) {
        made.add(path);
        directories.add(path);
    }

    /** Forgets every known directory: something was removed, so each is checked again. */
    void removed() {
        directories.clear();
    }
}
