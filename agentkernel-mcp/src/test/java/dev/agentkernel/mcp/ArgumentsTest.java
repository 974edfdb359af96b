package dev.agentkernel.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

    static final Set<String> KNOWN = Set.of("name", "timeout", "command", "tools", "flag", "memory", "items", "text");

    static Arguments args(Map<String, Object> values) {
        return Arguments.of("some_tool", values, KNOWN);
    }

    static Arguments args(String name, Object value) {
        Map<String, Object> m = new HashMap<>();
        m.put(name, value);
        return args(m);
    }

    @Test
    void anUnknownArgumentIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> args(Map.of("nmae", "x"))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("some_tool: unknown argument 'nmae'").hasMessageContaining("command, flag");
        assertThatThrownBy(() -> Arguments.of("list_things", Map.of("x", 1), Set.of()))
                .hasMessage("list_things: unknown argument 'x'; it takes no arguments");
        assertThat(Arguments.of("list_things", null, Set.of()).has("x")).isFalse();
    }

    @Test
    void requiredStringsMustBeGivenNonEmptyStrings() {
        assertThatThrownBy(() -> args(Map.of()).requiredString("name", "{\"name\": \"a\"}"))
                .hasMessage("some_tool: name is required, e.g. {\"name\": \"a\"}");
        assertThatThrownBy(() -> args("name", 3).requiredString("name", "x")).hasMessage("some_tool: name must be a string, got a number");
        assertThatThrownBy(() -> args("name", " ").requiredString("name", "x")).hasMessage("some_tool: name must not be empty");
        assertThat(args("name", "box").requiredString("name", "x")).isEqualTo("box");
        assertThat(args("name", null).optionalString("name")).isEmpty();
        assertThatThrownBy(() -> args("name", "").optionalString("name")).hasMessageContaining("leave it out for the default");
        assertThat(args(Map.of()).text("text", "")).isEmpty();
        assertThat(args("text", "").text("text", "fallback")).isEmpty();
    }

    @Test
    void secondsArePositiveNumbersUpToAMaximum() {
        Duration max = Duration.ofHours(1);
        assertThat(args("timeout", 1.5).seconds("timeout", max)).contains(Duration.ofMillis(1500));
        assertThat(args("timeout", 30).seconds("timeout", max)).contains(Duration.ofSeconds(30));
        assertThat(args(Map.of()).seconds("timeout", max)).isEmpty();
        assertThatThrownBy(() -> args("timeout", 0).seconds("timeout", max))
                .hasMessage("some_tool: timeout must be a positive number of seconds, got 0");
        assertThatThrownBy(() -> args("timeout", "10").seconds("timeout", max))
                .hasMessage("some_tool: timeout must be a positive number of seconds, got \"10\"");
        assertThatThrownBy(() -> args("timeout", 3601).seconds("timeout", max))
                .hasMessage("some_tool: timeout must be at most 3600 seconds, got 3601");
        assertThat(args("timeout", 0).wait("timeout", Duration.ofSeconds(60), max)).isZero();
        assertThat(args(Map.of()).wait("timeout", Duration.ofSeconds(60), max)).hasSeconds(60);
        assertThatThrownBy(() -> args("timeout", -1).wait("timeout", Duration.ofSeconds(60), max))
                .hasMessageContaining("0 or more");
    }

    @Test
    void numbersFlagsAndLists() {
        assertThat(args("memory", 512).positiveWholeNumber("memory", "512")).contains(512L);
        assertThatThrownBy(() -> args("memory", 1.5).positiveWholeNumber("memory", "512"))
                .hasMessageContaining("memory must be a positive whole number, e.g. 512, got 1.5");
        assertThatThrownBy(() -> args("memory", 0).positiveNumber("memory", "1")).hasMessageContaining("positive number");
        assertThat(args("flag", true).flag("flag", false)).isTrue();
        assertThat(args(Map.of()).flag("flag", true)).isTrue();
        assertThatThrownBy(() -> args("flag", "yes").flag("flag", false)).hasMessage("some_tool: flag must be true or false, got a string");
        assertThat(args("items", List.of("a", "b")).strings("items", "[\"a\"]")).containsExactly("a", "b");
        assertThatThrownBy(() -> args("items", "a").strings("items", "[\"a\"]")).hasMessageContaining("must be an array of strings");
        assertThatThrownBy(() -> args("items", List.of("a", 1)).strings("items", "[\"a\"]")).hasMessageContaining("only strings");
    }

    @Test
    void aCommandIsArgvOrAShellLine() {
        assertThat(args("command", List.of("ls", "-la")).command("command")).containsExactly("ls", "-la");
        assertThat(args("command", "ls | wc -l").command("command")).containsExactly("/bin/sh", "-c", "ls | wc -l");
        assertThatThrownBy(() -> args(Map.of()).command("command")).hasMessageContaining("command is required, e.g. [");
        assertThatThrownBy(() -> args("command", List.of()).command("command")).hasMessageContaining("command must not be empty");
        assertThatThrownBy(() -> args("command", "  ").command("command")).hasMessageContaining("command must not be empty");
        assertThatThrownBy(() -> args("command", 42).command("command")).hasMessageContaining("must be an array of strings");
    }

    @Test
    void requiredToolsAreNamesOrAnObjectOfNames() {
        assertThat(args("tools", Map.of("finance", List.of("f"))).libraryNames("tools")).containsExactly("finance");
        assertThat(args("tools", List.of("a", "b")).libraryNames("tools")).containsExactly("a", "b");
        assertThat(args(Map.of()).libraryNames("tools")).isEmpty();
        assertThatThrownBy(() -> args("tools", 7).libraryNames("tools")).hasMessageContaining("{\"finance\": [\"get_stock_data\"]}");
    }
}
