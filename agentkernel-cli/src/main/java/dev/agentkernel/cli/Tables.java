package dev.agentkernel.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Plain-text tables for people: columns as wide as their widest cell, two spaces apart. */
final class Tables {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Tables() {
    }

    /** The lines of a table: the header, then one line per row; the last column is not padded. */
    static List<String> render(List<String> header, List<List<String>> rows) {
        int columns = header.size();
        int[] widths = new int[columns];
        for (int c = 0; c < columns; c++) {
            widths[c] = header.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        List<String> lines = new ArrayList<>(rows.size() + 1);
        lines.add(line(header, widths));
        for (List<String> row : rows) {
            lines.add(line(row, widths));
        }
        return lines;
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            s.append(cell);
            if (c < cells.size() - 1) {
                s.repeat(' ', widths[c] - cell.length() + 2);
            }
        }
        return s.toString().stripTrailing();
    }

    /** A time in the given zone, to the second: {@code 2026-01-30 13:00:00}. */
    static String time(Instant instant, ZoneId zone) {
        return TIME.format(instant.atZone(zone));
    }

    /** A number without a needless fraction: {@code 1}, {@code 0.5}. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
