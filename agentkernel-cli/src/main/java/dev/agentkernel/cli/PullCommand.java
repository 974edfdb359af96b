package dev.agentkernel.cli;

import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PullEvent;
import dev.agentkernel.image.PullPolicy;
import dev.agentkernel.model.InvalidRequestException;
import java.io.Console;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel pull IMAGE [--policy missing|always]}: stores an image from its registry in
 * this host's image store, one line per layer as it completes (a progress line per layer on a
 * terminal).
 */
final class PullCommand implements Subcommand {

    @Override
    public String name() {
        return "pull";
    }

    @Override
    public String usage() {
        return "[--policy missing|always] IMAGE";
    }

    @Override
    public String summary() {
        return "Pull an image from its registry into the local image store";
    }

    @Override
    public List<String> description() {
        return List.of("Pull IMAGE (python:3.12-alpine, localhost:5000/team/tool:1, name@sha256:<digest>) from its registry",
                "into the local image store, for this host's platform. Each layer is stored once, checked against its digest.",
                "--policy missing (the default) uses a stored image as it is; --policy always asks the registry for the",
                "tag's current manifest and fetches only the layers not stored yet.",
                "One line per layer as it completes, with its size; on a terminal a progress line per layer.",
                "Loopback registries (localhost, 127.0.0.1) are spoken to over plain HTTP; credentials come from",
                "~/.docker/config.json. On a host without a registry, use 'agentkernel image import'.",
                ImageText.STORE);
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("policy").hasArg().argName("POLICY")
                .desc("missing (default): keep a stored image; always: ask the registry for the current manifest").get());
        return o;
    }

    @Override
    public Arguments arguments() {
        return Arguments.NEW_NAME;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel pull python:3.12-alpine", "agentkernel pull --policy always localhost:5000/team/tool:1");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        String reference = single(args, name(), "IMAGE", "agentkernel pull python:3.12-alpine");
        PullPolicy policy = policy(args.getOptionValue("policy", "missing"));
        Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        try (ImageService images = ImageText.open()) {
            Image image = pull(images, reference, policy, terminal ? new TerminalProgress(out) : new LineProgress(out));
            out.println("Pulled " + image.reference() + " (" + image.digest() + ", " + image.layers().size()
                    + (image.layers().size() == 1 ? " layer, " : " layers, ") + ImageText.size(image.size()) + ")");
        }
        return 0;
    }

    /** The policy {@code pull} accepts: missing or always ('never' would pull nothing). */
    static PullPolicy policy(String text) {
        PullPolicy policy = PullPolicy.parse(text);
        if (policy == PullPolicy.NEVER) {
            throw new InvalidRequestException("--policy never pulls nothing: use missing or always "
                    + "(to check whether an image is stored, run 'agentkernel images')");
        }
        return policy;
    }

    /** The one positional argument, or a usage error naming what is missing or extra. */
    static String single(CommandLine args, String command, String what, String example) {
        List<String> rest = args.getArgList();
        if (rest.isEmpty()) {
            throw new InvalidRequestException("'" + command + "' needs " + what + ", e.g. " + example);
        }
        if (rest.size() > 1) {
            throw new InvalidRequestException("unexpected argument '" + rest.get(1) + "': '" + command + "' takes one "
                    + what);
        }
        return rest.getFirst();
    }

    /**
     * Resolves on another thread and shows its events on this one: the service's listener must not
     * block, and printing may.
     */
    private static Image pull(ImageService images, String reference, PullPolicy policy, Progress progress)
            throws InterruptedException {
        BlockingQueue<PullEvent> events = new LinkedBlockingQueue<>();
        CompletableFuture<Image> result = new CompletableFuture<>();
        Thread.ofVirtual().name("pull").start(() -> {
            try {
                result.complete(images.resolve(reference, policy, events::add));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        while (!result.isDone() || !events.isEmpty()) {
            PullEvent event = events.poll(100, TimeUnit.MILLISECONDS);
            if (event != null) {
                progress.show(event);
            }
            progress.tick();
        }
        progress.finish();
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error x) {
                throw x;
            }
            throw e;
        }
    }

    /** Shows pull events. */
    private interface Progress {
        void show(PullEvent event);

        default void tick() {
        }

        default void finish() {
        }
    }

    /** Not a terminal: one line per layer when it is stored. */
    private static final class LineProgress implements Progress {
        private final PrintWriter out;
        private final Map<String, Long> totals = new LinkedHashMap<>();

        LineProgress(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void show(PullEvent event) {
            switch (event) {
                case PullEvent.Resolved r -> out.println("Resolved " + r.reference() + " to " + r.digest() + " ("
                        + r.layers() + (r.layers() == 1 ? " layer)" : " layers)"));
                case PullEvent.LayerProgress p -> totals.put(p.layer(), p.bytesTotal());
                case PullEvent.LayerDone d -> out.println(layerLine(d, totals.get(d.layer())));
                case PullEvent.Completed c -> { }
            }
            out.flush();
        }
    }

    /** The line of a stored layer: {@code 0123456789ab  1.2 MB  pulled} or {@code 0123456789ab  already stored}. */
    static String layerLine(PullEvent.LayerDone done, Long total) {
        String digest = ImageText.shortDigest(done.layer());
        if (done.alreadyStored()) {
            return digest + "  already stored";
        }
        if (done.bytesFetched() == 0 && total == null) {
            return digest + "  pulled"; // by another pull of the same layer, whose size this one never saw
        }
        long bytes = done.bytesFetched() > 0 ? done.bytesFetched() : total;
        return digest + "  " + ImageText.size(bytes) + "  pulled";
    }

    /** A terminal: a progress line per layer, redrawn in place. */
    private static final class TerminalProgress implements Progress {
        private static final int BAR = 30;
        private final PrintWriter out;
        private final Map<String, String> lines = new LinkedHashMap<>();
        private int drawn;
        private boolean dirty;

        TerminalProgress(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void show(PullEvent event) {
            switch (event) {
                case PullEvent.Resolved r -> {
                    out.println("Resolved " + r.reference() + " to " + r.digest());
                    out.flush();
                }
                case PullEvent.LayerProgress p -> {
                    long total = Math.max(1, p.bytesTotal());
                    int filled = (int) Math.min(BAR, p.bytesDone() * BAR / total);
                    lines.put(p.layer(), ImageText.shortDigest(p.layer()) + "  [" + "=".repeat(filled)
                            + " ".repeat(BAR - filled) + "]  " + ImageText.size(p.bytesDone()) + " / "
                            + ImageText.size(p.bytesTotal()));
                    dirty = true;
                }
                case PullEvent.LayerDone d -> {
                    lines.put(d.layer(), layerLine(d, null));
                    dirty = true;
                }
                case PullEvent.Completed c -> { }
            }
        }

        @Override
        public void tick() {
            if (!dirty) {
                return;
            }
            StringBuilder s = new StringBuilder();
            if (drawn > 0) {
                s.append("\033[").append(drawn).append('F'); // back to the first layer line
            }
            for (String line : lines.values()) {
                s.append("\033[2K").append(line).append('\n');
            }
            out.print(s);
            out.flush();
            drawn = lines.size();
            dirty = false;
        }

        @Override
        public void finish() {
            tick();
        }
    }
}
