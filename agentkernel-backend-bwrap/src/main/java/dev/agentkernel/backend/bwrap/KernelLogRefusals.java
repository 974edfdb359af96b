package dev.agentkernel.backend.bwrap;

import dev.agentkernel.egress.Refusal;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the kernel-log lines of an {@link EgressTable}'s refusals ({@code /dev/kmsg}, one record
 * per read) into {@link Refusal}s: which sandbox address tried to reach which destination, port
 * and protocol, and the rule that refused it. Records older than this watcher are skipped. One
 * platform (daemon) thread: a read of {@code /dev/kmsg} blocks in the kernel until the next
 * record, and on a virtual thread it would hold a carrier of the virtual-thread scheduler all that
 * time (the JDK does not compensate plain file reads), starving the resolver and the proxy.
 * {@link #close} stops it at the next record.
 */
final class KernelLogRefusals implements AutoCloseable {

    private static final Path KMSG = Path.of("/dev/kmsg");
    private static final System.Logger LOG = System.getLogger(KernelLogRefusals.class.getName());
    private static final Map<String, String> RULES = Map.of(
            "proto", "only TCP and UDP are forwarded",
            "denied", "deny_addresses",
            "port", "port not in ports",
            "unlisted", "not an allowed address (no allowed name resolved to it, not in allow_addresses)");
    private static final Pattern FIELD = Pattern.compile("\\b(SRC|DST|PROTO|DPT)=(\\S+)");

    private final AtomicBoolean closed = new AtomicBoolean();

    private KernelLogRefusals() {
    }

    /**
     * Starts reading; {@code sink} gets the source address and the refusal (whose {@code sandbox}
     * is empty: the caller knows the sandbox by its address).
     */
    static KernelLogRefusals start(String table, BiConsumer<InetAddress, Refusal> sink) {
        KernelLogRefusals watcher = new KernelLogRefusals();
        long since = uptimeMicros() - 2_000_000;
        Thread.ofPlatform().daemon().name("egress-kmsg-" + table).start(() -> watcher.read(table, since, sink));
        return watcher;
    }

    private void read(String table, long since, BiConsumer<InetAddress, Refusal> sink) {
        if (!Files.isReadable(KMSG)) {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + KMSG + ": refusals by the packet filter are not audited");
            return;
        }
        byte[] record = new byte[8192];
        try (InputStream in = new FileInputStream(KMSG.toFile())) {
            while (!closed.get()) {
                int n;
                try {
                    n = in.read(record);
                } catch (IOException e) {
                    if (e.getMessage() != null && e.getMessage().contains("Broken pipe")) {
                        continue; // records were overwritten before we read them (EPIPE): go on
                    }
                    throw e;
                }
                if (n < 0) {
                    return;
                }
                parse(new String(record, 0, n, StandardCharsets.UTF_8), table, since).ifPresent(r -> sink.accept(r.source, r.refusal));
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "stopped reading " + KMSG + ": " + e.getMessage());
        }
    }

    /** A source and its refusal. */
    record Parsed(InetAddress source, Refusal refusal) {
    }

    /** The refusal of one {@code /dev/kmsg} record of {@code table} newer than {@code since} (µs since boot). */
    static Optional<Parsed> parse(String record, String table, long since) {
        int semicolon = record.indexOf(';');
        if (semicolon < 0) {
            return Optional.empty();
        }
        String[] header = record.substring(0, semicolon).split(",");
        String message = record.substring(semicolon + 1);
        if (header.length < 3 || !message.startsWith(table + " ")) {
            return Optional.empty();
        }
        try {
            if (Long.parseLong(header[2]) < since) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        int colon = message.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String rule = message.substring(table.length() + 1, colon);
        String src = null;
        String dst = null;
        String proto = "ip";
        int port = 0;
        Matcher m = FIELD.matcher(message);
        while (m.find()) {
            switch (m.group(1)) {
                case "SRC" -> src = m.group(2);
                case "DST" -> dst = m.group(2);
                case "PROTO" -> proto = m.group(2).toLowerCase(java.util.Locale.ROOT);
                case "DPT" -> port = Integer.parseInt(m.group(2));
                default -> { }
            }
        }
        if (src == null || dst == null || !src.matches("[0-9.]+")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Parsed(InetAddress.getByName(src),
                    new Refusal("", dst, port, proto, RULES.getOrDefault(rule, rule))));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static long uptimeMicros() {
        try {
            String first = Files.readString(Path.of("/proc/uptime")).split("\\s+")[0];
            return (long) (Double.parseDouble(first) * 1_000_000);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
