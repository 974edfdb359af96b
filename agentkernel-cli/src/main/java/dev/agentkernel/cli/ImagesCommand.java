package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageService;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel images [--json]}: the images of this host's image store. */
final class ImagesCommand implements Subcommand {

    static final List<String> HEADER = List.of("REFERENCE", "DIGEST", "SIZE", "CREATED");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String name() {
        return "images";
    }

    @Override
    public String usage() {
        return "[--json]";
    }

    @Override
    public String summary() {
        return "List the images in the local image store";
    }

    @Override
    public List<String> description() {
        return List.of("List the stored images by reference: the reference, the first 12 hex digits of the manifest's",
                "digest, the size of its layers as stored (compressed) and when it was stored (local time).",
                "--json prints a JSON array (full digests, sizes in bytes, times in UTC).",
                ImageText.STORE);
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("Print a JSON array").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel images", "agentkernel images --json | jq -r '.[].reference'");
    }

    @Override
    public int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception {
        DaemonClientCommand.noArguments(args, name());
        List<Image> all;
        try (ImageService images = ImageText.open()) {
            all = images.list().stream().sorted(Comparator.comparing(i -> i.reference().toString())).toList();
        }
        if (args.hasOption("json")) {
            out.println(MAPPER.writeValueAsString(json(all)));
        } else if (all.isEmpty()) {
            err.println("agentkernel: no images stored; pull one with 'agentkernel pull IMAGE' or import one with "
                    + "'agentkernel image import FILE'");
        } else {
            table(all, ZoneId.systemDefault()).forEach(out::println);
        }
        return 0;
    }

    /** The table's lines: a header, then one line per image. */
    static List<String> table(List<Image> images, ZoneId zone) {
        List<List<String>> rows = new ArrayList<>();
        for (Image i : images) {
            rows.add(List.of(i.reference().toString(), ImageText.shortDigest(i.digest()), ImageText.size(i.size()),
                    Tables.time(i.stored(), zone)));
        }
        return Tables.render(HEADER, rows);
    }

    /** The images as a JSON array. */
    static ArrayNode json(List<Image> images) {
        ArrayNode all = MAPPER.createArrayNode();
        for (Image i : images) {
            ObjectNode node = all.addObject();
            node.put("reference", i.reference().toString());
            node.put("digest", i.digest());
            node.put("platform", i.platform());
            node.put("size", i.size());
            node.put("layers", i.layers().size());
            node.put("created_at", i.stored().toString());
        }
        return all;
    }
}
