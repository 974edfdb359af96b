package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileTest {

    @ParameterizedTest
    @CsvSource({"permissive,PERMISSIVE", "MODERATE,MODERATE", "Restrictive,RESTRICTIVE", "' moderate ',MODERATE"})
    void parsesCaseInsensitively(String text, Profile expected) {
        assertThat(Profile.parse(text)).isEqualTo(expected);
    }

    @Test
    void anUnknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> Profile.parse("paranoid"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("unknown profile 'paranoid': use one of permissive, moderate, restrictive");
    }

    @Test
    void nullAndEmptyAreUnknown() {
        assertThatThrownBy(() -> Profile.parse(null))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("use one of permissive, moderate, restrictive");
        assertThatThrownBy(() -> Profile.parse(""))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("unknown profile ''");
    }

    @Test
    void idsAreLowerCaseAndRoundTrip() {
        assertThat(Profile.PERMISSIVE.id()).isEqualTo("permissive");
        assertThat(Profile.MODERATE.id()).isEqualTo("moderate");
        assertThat(Profile.RESTRICTIVE.id()).isEqualTo("restrictive");
        for (Profile p : Profile.values()) {
            assertThat(Profile.parse(p.id())).isSameAs(p);
        }
    }

    @Test
    void outputStreamKindIds() {
        assertThat(OutputStreamKind.STDOUT.id()).isEqualTo("stdout");
        assertThat(OutputStreamKind.STDERR.id()).isEqualTo("stderr");
    }
}
