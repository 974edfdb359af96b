package dev.agentkernel.core.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mounts of this process's mount namespace, from {@code /proc/self/mountinfo}.
 * Package-private.
 */
final class MountTable {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * One mount.
     *
     * @param mountPoint where it is mounted
     * @param fsType     its file system type
     * @param source     its source, e.g. {@code /dev/loop3}
     */
    record Entry(Path mountPoint, String fsType, String source) {
    }

    private MountTable() {
    }

    /** Every mount, in the order of the table (parents before what is mounted on them). */
    static List<Entry> read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTINFO);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
        List<Entry> entries = new ArrayList<>(lines.size());
        for (String line : lines) {
            parse(line).ifPresent(entries::add);
        }
        return entries;
    }

    /** The topmost mount at {@code mountPoint}, if something is mounted there. */
    static Optional<Entry> at(Path mountPoint) {
        Path wanted = mountPoint.toAbsolutePath().normalize();
        Entry found = null;
        for (Entry entry : read()) {
            if (entry.mountPoint().equals(wanted)) {
                found = entry;
            }
        }
        return Optional.ofNullable(found);
    }

    /** One line: {@code ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS}. */
    static Optional<Entry> parse(String line) {
        String[] fields = line.split(" ");
        int dash = -1;
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                dash = i;
                break;
            }
        }
        if (fields.length < 10 || dash < 0 || dash + 2 >= fields.length) {
            return Optional.empty();
        }
        return Optional.of(new Entry(Path.of(unescape(fields[4])), unescape(fields[dash + 1]), unescape(fields[dash + 2])));
    }

    /** The kernel writes space, tab, newline and backslash as {@code \ooo}. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder s = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                s.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
