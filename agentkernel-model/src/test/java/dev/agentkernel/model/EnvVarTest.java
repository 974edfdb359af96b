package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvVarTest {

    @Test
    void parsesNameAndValue() {
        assertThat(EnvVar.parse("A=b")).containsExactly("A", "b");
    }

    @Test
    void theValueMayBeEmpty() {
        assertThat(EnvVar.parse("A=")).containsExactly("A", "");
    }

    @Test
    void theValueMayContainEqualsSigns() {
        assertThat(EnvVar.parse("A=b=c")).containsExactly("A", "b=c");
        assertThat(EnvVar.parse("_under_9=x==")).containsExactly("_under_9", "x==");
    }

    @Test
    void aMissingNameIsRefused() {
        assertThatThrownBy(() -> EnvVar.parse("=x"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("environment variable '=x' must be written NAME=VALUE");
    }

    @Test
    void aNameStartingWithADigitIsRefused() {
        assertThatThrownBy(() -> EnvVar.parse("1A=x"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("environment variable name '1A' is invalid: use letters, digits and '_', not starting with a digit");
    }

    @Test
    void noEqualsSignIsRefused() {
        assertThatThrownBy(() -> EnvVar.parse("NOEQ"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("environment variable 'NOEQ' must be written NAME=VALUE");
    }

    @Test
    void nullIsRefusedNotCrashed() {
        assertThatThrownBy(() -> EnvVar.parse(null))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("NAME=VALUE");
    }

    @Test
    void aNulByteInTheValueIsRefused() {
        assertThatThrownBy(() -> EnvVar.parse("A=b\0c"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("environment variable A must have a value without NUL bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"A-B=1", "A B=1", "Ä=1", "A.B=1"})
    void namesWithOtherCharactersAreRefused(String assignment) {
        assertThatThrownBy(() -> EnvVar.parse(assignment))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("is invalid");
    }

    @Test
    void isValidName() {
        assertThat(EnvVar.isValidName("PATH")).isTrue();
        assertThat(EnvVar.isValidName("_")).isTrue();
        assertThat(EnvVar.isValidName("a1_B")).isTrue();
        assertThat(EnvVar.isValidName("")).isFalse();
        assertThat(EnvVar.isValidName(null)).isFalse();
        assertThat(EnvVar.isValidName("9")).isFalse();
    }

    @Test
    void requireValidRefusesANullValue() {
        assertThatThrownBy(() -> EnvVar.requireValid("A", null))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("environment variable A must have a value without NUL bytes");
    }
}
