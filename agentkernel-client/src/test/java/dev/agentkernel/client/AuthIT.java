package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** API keys on (the keyed daemon) and off (the open daemon). */
@ExtendWith(Daemons.class)
class AuthIT {

    private static AgentKernel client(DaemonFixture fx, String key) {
        return AgentKernel.builder().environment(Map.of()).baseUrl(fx.baseUrl()).apiKey(key).build();
    }

    @Test
    void withKeysOnEveryRouteButHealthNeedsTheKey() {
        DaemonFixture fx = Daemons.keyed();
        try (AgentKernel none = client(fx, null); AgentKernel wrong = client(fx, "not-the-key");
             AgentKernel right = client(fx, Daemons.KEY)) {
            assertThat(none.health()).isEqualTo("ok");
            for (AgentKernel c : List.of(none, wrong)) {
                assertThatThrownBy(() -> c.run("true")).isInstanceOf(AuthenticationException.class);
                assertThatThrownBy(c::status).isInstanceOf(AuthenticationException.class);
                assertThatThrownBy(() -> c.runStream(List.of("true"))).isInstanceOf(AuthenticationException.class);
                assertThatThrownBy(() -> c.readFileBytes("x", "/y")).isInstanceOf(AuthenticationException.class);
                assertThatThrownBy(() -> c.writeFile("x", "/y", new byte[] {1}))
                        .isInstanceOf(AuthenticationException.class);
            }
            assertThat(right.run("echo", "in").output()).isEqualTo("in\n");
        }
    }

    @Test
    void theKeyFromTheEnvironmentIsUsedByBothClients() {
        DaemonFixture fx = Daemons.keyed();
        Map<String, String> env = Map.of("AGENTKERNEL_BASE_URL", fx.baseUrl(), "AGENTKERNEL_API_KEY", Daemons.KEY);
        try (AgentKernel sync = AgentKernel.builder().environment(env).build();
             AsyncAgentKernel async = AsyncAgentKernel.builder().environment(env).build()) {
            assertThat(sync.status().backend()).isEqualTo("bwrap");
            assertThat(async.status().join().backend()).isEqualTo("bwrap");
        }
        try (AsyncAgentKernel anonymous = AsyncAgentKernel.builder().environment(Map.of("AGENTKERNEL_BASE_URL",
                fx.baseUrl())).build()) {
            assertThatThrownBy(() -> anonymous.listSandboxes().join()).cause()
                    .isInstanceOf(AuthenticationException.class);
        }
    }

    @Test
    void withoutKeysAnyClientIsServed() {
        DaemonFixture fx = Daemons.open();
        try (AgentKernel none = client(fx, null); AgentKernel some = client(fx, "unneeded")) {
            assertThat(none.run("echo", "a").output()).isEqualTo("a\n");
            assertThat(some.run("echo", "b").output()).isEqualTo("b\n");
            assertThat(none.status().runs().max()).isEqualTo(1);
        }
    }
}
