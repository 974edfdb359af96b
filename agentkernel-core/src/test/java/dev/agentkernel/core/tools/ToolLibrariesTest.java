package dev.agentkernel.core.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tool libraries are found by reading their sources, searched, and cached until the directory changes. */
class ToolLibrariesTest {

    @TempDir
    Path dir;

    static final String FINANCE = """
            # -*- coding: utf-8 -*-
            \"\"\"Market data helpers.

            Longer text that is not shown.
            \"\"\"
            import json


            def get_stock_data(ticker, days=30):
                \"\"\"Daily closing prices of a ticker.\"\"\"
                return []


            async def calculate_metrics(prices: list,
                                        window: int = 5) -> dict:
                '''Moving average and volatility.'''
                return {}


            def _private():
                pass

            class Helper:
                def method(self):
                    pass
            """;

    @Test
    void pythonModulesPackagesAndJavascriptAreDescribed() throws IOException {
        Files.writeString(dir.resolve("finance.py"), FINANCE);
        Path pkg = Files.createDirectories(dir.resolve("textkit"));
        Files.writeString(pkg.resolve("__init__.py"), "'''Text utilities.'''\ndef slug(s):\n    return s\n");
        Files.writeString(dir.resolve("weather.js"), """
                /** Weather lookups. */

                /**
                 * Forecast for a city.
                 * @param city name
                 */
                function forecast(city, days) { return []; }
                function _hidden() {}
                module.exports = { forecast };
                """);
        Files.writeString(dir.resolve("notes.txt"), "not a library");
        Files.writeString(dir.resolve("_internal.py"), "def x(): pass\n");
        Files.createDirectories(dir.resolve("empty"));
        ToolLibraries libs = new ToolLibraries(Optional.of(dir));
        assertThat(libs.list()).extracting(ToolLibrary::name).containsExactly("finance", "textkit", "weather");
        ToolLibrary finance = libs.find("finance").orElseThrow();
        assertThat(finance.language()).isEqualTo("python");
        assertThat(finance.description()).isEqualTo("Market data helpers.");
        assertThat(finance.functions()).extracting(ToolFunction::name).containsExactly("get_stock_data", "calculate_metrics");
        assertThat(finance.functions().get(0).signature()).isEqualTo("get_stock_data(ticker, days=30)");
        assertThat(finance.functions().get(0).description()).isEqualTo("Daily closing prices of a ticker.");
        assertThat(finance.functions().get(1).signature()).isEqualTo("calculate_metrics(prices: list, window: int = 5)");
        assertThat(finance.functions().get(1).description()).isEqualTo("Moving average and volatility.");
        assertThat(libs.find("textkit").orElseThrow().description()).isEqualTo("Text utilities.");
        ToolLibrary weather = libs.find("weather").orElseThrow();
        assertThat(weather.language()).isEqualTo("javascript");
        assertThat(weather.description()).isEqualTo("Weather lookups.");
        assertThat(weather.functions()).extracting(ToolFunction::name).containsExactly("forecast");
        assertThat(weather.functions().getFirst().description()).isEqualTo("Forecast for a city.");
        assertThat(libs.search("stock prices")).extracting(ToolLibrary::name).containsExactly("finance");
        assertThat(libs.search("FORECAST")).extracting(ToolLibrary::name).containsExactly("weather");
        assertThat(libs.search("")).hasSize(3);
        assertThat(libs.search("nothing-like-this")).isEmpty();
    }

    @Test
    void theCacheFollowsTheDirectoryAndCanBeCleared() throws IOException {
        Path lib = Files.writeString(dir.resolve("a.py"), "def one():\n    pass\n");
        ToolLibraries libs = new ToolLibraries(Optional.of(dir));
        assertThat(libs.list()).hasSize(1);
        assertThat(libs.list()).isSameAs(libs.list());
        Files.writeString(dir.resolve("b.py"), "def two():\n    pass\n");
        assertThat(libs.list()).extracting(ToolLibrary::name).containsExactly("a", "b");
        Files.writeString(lib, "def one():\n    pass\ndef three():\n    pass\n");
        Files.setLastModifiedTime(lib, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(libs.find("a").orElseThrow().functions()).hasSize(2);
        var before = libs.list();
        libs.clearCache();
        assertThat(libs.list()).isNotSameAs(before).isEqualTo(before);
    }

    @Test
    void noDirectoryMeansNoLibraries() {
        assertThat(new ToolLibraries(Optional.empty()).list()).isEmpty();
        assertThat(new ToolLibraries(Optional.of(dir.resolve("missing"))).list()).isEmpty();
    }
}
