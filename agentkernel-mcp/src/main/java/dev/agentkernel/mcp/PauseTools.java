package dev.agentkernel.mcp;

import dev.agentkernel.api.SandboxView;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.sandbox.SandboxNames;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.mcp.ToolDefinition.Effect;
import java.util.List;

/** Pausing persistent sandboxes ({@code sandbox_pause}, {@code sandbox_resume}). Package-private. */
final class PauseTools {

    private final SandboxManager sandboxes;

    PauseTools(SandboxManager sandboxes) {
        this.sandboxes = sandboxes;
    }

    List<ToolDefinition> definitions() {
        return List.of(pause(), resume());
    }

    private ToolDefinition pause() {
        return new ToolDefinition("sandbox_pause", "Pause a sandbox",
                "Pause a running persistent sandbox: every process is frozen with its memory kept and uses no CPU "
                        + "until it is resumed (by sandbox_resume, or by the next command or file operation unless the "
                        + "daemon refuses those while paused). Pausing a paused sandbox changes nothing.",
                Schema.object().string("name", "The sandbox's name", true),
                SandboxView.class, Effect.ADDS,
                args -> Results.ok(WireViews.sandbox(sandboxes.pause(name(args)))));
    }

    private ToolDefinition resume() {
        return new ToolDefinition("sandbox_resume", "Resume a sandbox",
                "Resume a paused persistent sandbox: its processes continue where they stopped. Resuming a running "
                        + "sandbox changes nothing.",
                Schema.object().string("name", "The sandbox's name", true),
                SandboxView.class, Effect.ADDS,
                args -> Results.ok(WireViews.sandbox(sandboxes.resume(name(args)))));
    }

    private static String name(Arguments args) {
        return SandboxNames.requireValid(args.requiredString("name", SandboxTools.NAME_EXAMPLE));
    }
}
