package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.ToolCatalog;
import dev.agentkernel.client.ToolFunction;
import dev.agentkernel.client.ToolLibrary;
import dev.agentkernel.model.InvalidRequestException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code agentkernel tools [QUERY...] [--json | --names] | --clear-cache}: the tool libraries tasks may require. */
final class ToolsCommand extends DaemonClientCommand {

    @Override
    public String name() {
        return "tools";
    }

    @Override
    public String usage() {
        return "[QUERY...] [--json | --names] | --clear-cache";
    }

    @Override
    public String summary() {
        return "List the tool libraries tasks may use";
    }

    @Override
    public List<String> description() {
        return List.of("The tool libraries of the daemon's tools directory: Python and JavaScript modules that tasks",
                "('agentkernel task dispatch --tool LIB') import from /tools. Each library with its language and",
                "description, then its functions' signatures and descriptions. With QUERY, only the libraries whose name,",
                "description or functions match every word. --names prints only their names; --json the daemon's JSON.",
                "The daemon reads the libraries from their sources and caches them until the directory changes;",
                "--clear-cache drops that cache. A daemon gets a tools directory from 'serve --tools-dir DIR',",
                "AGENTKERNEL_TOOLS_DIR or tools_dir in [execution] of agentkernel.toml.",
                FINDING);
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("Print the daemon's JSON").get());
        o.addOption(Option.builder().longOpt("names").desc("Print only the libraries' names, one a line").get());
        o.addOption(Option.builder().longOpt("clear-cache").desc("Drop the daemon's cache of tool libraries").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel tools", "agentkernel tools stock price", "agentkernel tools --json | jq '.libraries[].name'",
                "agentkernel tools --clear-cache");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws Exception {
        String query = String.join(" ", args.getArgList()).strip();
        if (args.hasOption("clear-cache")) {
            if (!query.isEmpty() || args.hasOption("json") || args.hasOption("names")) {
                throw new InvalidRequestException("--clear-cache goes alone: agentkernel tools --clear-cache");
            }
            client.clearToolCache();
            err.println("agentkernel: cleared the daemon's cache of tool libraries");
            return 0;
        }
        if (args.hasOption("json") && args.hasOption("names")) {
            throw new InvalidRequestException("--names and --json do not go together");
        }
        ToolCatalog catalog = client.searchTools(query);
        if (args.hasOption("json")) {
            out.println(CodeSessionJson.print(TaskJson.tools(catalog)));
        } else if (args.hasOption("names")) {
            catalog.libraries().forEach(l -> out.println(l.name()));
        } else if (catalog.toolsDir().isEmpty()) {
            err.println("agentkernel: the daemon has no tools directory; start it with 'agentkernel serve --tools-dir DIR' "
                    + "(or AGENTKERNEL_TOOLS_DIR, or tools_dir in [execution] of agentkernel.toml)");
        } else if (catalog.libraries().isEmpty()) {
            err.println("agentkernel: " + (query.isEmpty() ? "no tool libraries in " + catalog.toolsDir().get()
                    : "no tool library matches '" + query + "'"));
        } else {
            lines(catalog).forEach(out::println);
        }
        return 0;
    }

    /** Each library (name, language, description), then its functions indented. */
    static List<String> lines(ToolCatalog catalog) {
        List<String> lines = new ArrayList<>();
        for (ToolLibrary l : catalog.libraries()) {
            lines.add((l.name() + "  " + l.language() + (l.description().isEmpty() ? "" : "  " + l.description())).strip());
            List<List<String>> rows = new ArrayList<>();
            for (ToolFunction f : l.functions()) {
                rows.add(List.of("    " + (f.signature().isEmpty() ? f.name() : f.signature()), f.description()));
            }
            if (!rows.isEmpty()) {
                lines.addAll(Tables.render(List.of("", ""), rows).subList(1, rows.size() + 1));
            }
        }
        return lines;
    }
}
