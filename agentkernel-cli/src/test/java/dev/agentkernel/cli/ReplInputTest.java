package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.cli.ReplInput.Language;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the REPL asks for another line, by language. */
class ReplInputTest {

    private static boolean more(Language language, String... lines) {
        return ReplInput.needsMore(language, List.of(lines));
    }

    @Test
    void templatesAndAliasesHaveTheirPrompts() {
        assertThat(Language.of("python").prompt).isEqualTo("py> ");
        assertThat(Language.of("PY").prompt).isEqualTo("py> ");
        assertThat(Language.of("python3")).isEqualTo(Language.PYTHON);
        assertThat(Language.of("nodejs").prompt).isEqualTo("js> ");
        assertThat(Language.of("javascript")).isEqualTo(Language.NODE);
        assertThat(Language.of("sh").prompt).isEqualTo("sh> ");
        assertThat(Language.of("shell")).isEqualTo(Language.BASH);
        assertThat(Language.of("ruby").prompt).isEqualTo("> ");
        assertThat(Language.of(null)).isEqualTo(Language.PYTHON);
    }

    @Test
    void pythonBlocksWaitForABlankLine() {
        assertThat(more(Language.PYTHON, "x = 1")).isFalse();
        assertThat(more(Language.PYTHON, "def f(n):")).isTrue();
        assertThat(more(Language.PYTHON, "def f(n):", "    return n * 2")).as("only a blank line ends a block").isTrue();
        assertThat(more(Language.PYTHON, "for i in range(3):  # a comment")).isTrue();
        assertThat(more(Language.PYTHON, "if x: print(1)")).isFalse();
        assertThat(more(Language.PYTHON, "s = 'a:'")).isFalse();
        assertThat(more(Language.PYTHON, "x = 1  # note:")).isFalse();
    }

    @Test
    void pythonBracketsStringsAndBackslashes() {
        assertThat(more(Language.PYTHON, "xs = [1,")).isTrue();
        assertThat(more(Language.PYTHON, "xs = [1,", "2]")).isFalse();
        assertThat(more(Language.PYTHON, "print(')')")).isFalse();
        assertThat(more(Language.PYTHON, "print('(')")).isFalse();
        assertThat(more(Language.PYTHON, "x = 1 + \\")).isTrue();
        assertThat(more(Language.PYTHON, "doc = \"\"\"first")).isTrue();
        assertThat(more(Language.PYTHON, "doc = \"\"\"first", "last\"\"\"")).isFalse();
        assertThat(more(Language.PYTHON, "d = {'a': (1,  # (")).isTrue();
        assertThat(more(Language.PYTHON, "s = 'unterminated")).as("the interpreter reports it").isFalse();
        assertThat(more(Language.PYTHON, "x = ')' + \"\\\"(\"")).isFalse();
    }

    @Test
    void nodeCountsBracesAndTemplateStrings() {
        assertThat(more(Language.NODE, "const x = 1")).isFalse();
        assertThat(more(Language.NODE, "function f(n) {")).isTrue();
        assertThat(more(Language.NODE, "function f(n) {", "  return n * 2", "}")).isFalse();
        assertThat(more(Language.NODE, "const s = `a")).isTrue();
        assertThat(more(Language.NODE, "const s = '{'")).isFalse();
        assertThat(more(Language.NODE, "const n = 1 // {")).isFalse();
        assertThat(more(Language.NODE, "/* {")).isTrue();
        assertThat(more(Language.NODE, "if (x) {  /* } */")).isTrue();
        assertThat(more(Language.NODE, "label:")).as("':' means nothing in JavaScript").isFalse();
    }

    @Test
    void bashBackslashesBracketsAndQuotes() {
        assertThat(more(Language.BASH, "ls -la")).isFalse();
        assertThat(more(Language.BASH, "for i in 1 2; do \\")).isTrue();
        assertThat(more(Language.BASH, "f() {")).isTrue();
        assertThat(more(Language.BASH, "f() {", "  echo hi", "}")).isFalse();
        assertThat(more(Language.BASH, "echo \"open")).isTrue();
        assertThat(more(Language.BASH, "echo ${#xs[@]}")).as("# inside a word is no comment").isFalse();
        assertThat(more(Language.BASH, "echo hi # (")).isFalse();
        assertThat(more(Language.BASH, "echo 'it\\'")).as("no escapes in single quotes").isFalse();
    }

    @Test
    void anUnknownLanguageIsLineByLine() {
        assertThat(more(Language.OTHER, "def f(:")).isFalse();
        assertThat(more(Language.PYTHON)).isFalse();
    }
}
