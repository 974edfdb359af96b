package dev.agentkernel.core.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task runner's choice of image; the sandboxes themselves are tested against the real backend. */
class SandboxTaskRunnerTest {

    @TempDir
    Path tmp;

    /** A backend that must not be reached: the image fails first. */
    static final IsolationBackend UNREACHED = new IsolationBackend() {
        @Override
        public String name() {
            return "unreached";
        }

        @Override
        public Execution start(SandboxSpec spec, CommandSpec command, Stdio stdio) {
            throw new AssertionError("no sandbox may start");
        }

        @Override
        public Execution startAgent(SandboxSpec spec, Stdio stdio) {
            throw new AssertionError("no sandbox may start");
        }

        @Override
        public void close() {
        }
    };

    private TaskOutcome run(Map<String, String> env, InterpreterTemplate template, List<String> asked) throws Exception {
        return run(env, new TaskSpec("print(1)", template, Duration.ofSeconds(5), false, List.of()), asked);
    }

    private TaskOutcome run(Map<String, String> env, TaskSpec spec, List<String> asked) throws Exception {
        HostContext host = new HostContext(tmp.resolve("state"), tmp.resolve("run"), false, 2, env);
        PolicyResolver resolver = new PolicyResolver(host, false, (image, pull) -> {
            asked.add(image);
            throw new NotFoundException("image " + image + " was not found; pull it with 'agentkernel pull " + image + "'");
        });
        SandboxTaskRunner runner = new SandboxTaskRunner(UNREACHED, resolver, Optional.empty(), Optional.empty());
        return runner.run(spec, (stream, bytes, offset, length) -> { }, () -> false);
    }

    @Test
    void aTaskRunsOnItsTemplatesImageAndAMissingImageFailsItClearly() throws Exception {
        List<String> asked = new ArrayList<>();
        TaskOutcome outcome = run(Map.of(), InterpreterTemplate.PYTHON, asked);
        assertThat(asked).containsExactly("python:3.12-alpine");
        assertThat(outcome).isInstanceOf(TaskOutcome.Failed.class);
        assertThat(((TaskOutcome.Failed) outcome).reason()).startsWith("the task's image is not usable: image "
                + "python:3.12-alpine was not found");
    }

    @Test
    void theImageATaskNamesWinsOverEveryDefault() throws Exception {
        List<String> asked = new ArrayList<>();
        run(Map.of(PolicyResolver.DEFAULT_IMAGE_ENV, "team/runtime:1"), new TaskSpec("echo", InterpreterTemplate.BASH,
                Duration.ofSeconds(5), false, List.of(), Optional.of("team/tool:2"), dev.agentkernel.model.ImagePull.NEVER),
                asked);
        assertThat(asked).containsExactly("team/tool:2");
    }

    @Test
    void theConfiguredDefaultImageIsEveryTasksImage() throws Exception {
        List<String> asked = new ArrayList<>();
        run(Map.of(PolicyResolver.DEFAULT_IMAGE_ENV, "team/runtime:1"), InterpreterTemplate.NODE, asked);
        assertThat(asked).containsExactly("team/runtime:1");
    }
}
