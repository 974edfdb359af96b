package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcSkeletonTest {

    @TempDir
    Path state;

    private Path dir() {
        return state.resolve("etc").resolve("v1");
    }

    @Test
    void writesTheGeneratedFiles() throws Exception {
        EtcSkeleton.prepare(state);

        assertThat(dir().resolve("passwd")).content()
                .isEqualTo("root:x:0:0:root:/workspace:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        assertThat(dir().resolve("group")).content().isEqualTo("root:x:0:\nnogroup:x:65534:\n");
        assertThat(dir().resolve("hosts")).content().startsWith("127.0.0.1\tlocalhost\n").contains("::1\tlocalhost");
        assertThat(dir().resolve("nsswitch.conf")).content().contains("passwd: files\n").contains("hosts: files dns\n");
        assertThat(dir().resolve("resolv.conf")).content().isEqualTo("nameserver 10.0.2.3\noptions edns0\n");
        for (String name : List.of("passwd", "group", "hosts", "nsswitch.conf", "resolv.conf")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir().resolve(name))))
                    .as(name).isEqualTo("rw-r--r--");
        }
        try (var files = Files.list(dir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary files left")
                    .containsExactlyInAnyOrder("passwd", "group", "hosts", "nsswitch.conf", "resolv.conf");
        }
    }

    @Test
    void aChangedFileIsRestoredAndAnUnchangedOneLeftAlone() throws Exception {
        EtcSkeleton.prepare(state);
        Files.writeString(dir().resolve("passwd"), "evil:x:0:0::/:/bin/sh\n");
        Files.setLastModifiedTime(dir().resolve("group"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));

        EtcSkeleton.prepare(state);

        assertThat(dir().resolve("passwd")).content().startsWith("root:x:0:0:root:/workspace:/bin/sh\n");
        assertThat(Files.getLastModifiedTime(dir().resolve("group")).toMillis()).isEqualTo(1_000_000);
    }

    @Test
    void hostEntriesAreAllowListedAndNeverSecret() {
        EtcSkeleton etc = EtcSkeleton.prepare(state);

        assertThat(etc.hostEntries()).doesNotHaveDuplicates();
        for (String entry : etc.hostEntries()) {
            assertThat(entry).as(entry)
                    .isNotIn("shadow", "shadow-", "gshadow", "gshadow-", "passwd", "group", "sudoers", "sudoers.d",
                            "ssh", "ssl/private", "ssl", "hosts", "resolv.conf", "machine-id", "security")
                    .doesNotStartWith("ssh")
                    .doesNotStartWith("ssl/private")
                    .doesNotStartWith("sudo")
                    .doesNotContain("..");
            assertThat(EtcSkeleton.HOST_ALLOW_LIST.contains(entry)
                    || EtcSkeleton.HOST_ALLOW_PREFIXES.stream().anyMatch(entry::startsWith)).as(entry).isTrue();
            assertThat(Path.of("/etc").resolve(entry)).as(entry).exists();
        }
    }

    @Test
    void theAllowListItselfHasNoSecrets() {
        List<String> all = new ArrayList<>(EtcSkeleton.HOST_ALLOW_LIST);
        all.addAll(EtcSkeleton.HOST_ALLOW_PREFIXES);
        for (String entry : all) {
            assertThat(entry).as(entry)
                    .doesNotContain("shadow").doesNotContain("sudo").doesNotStartWith("ssh")
                    .isNotEqualTo("ssl").doesNotStartWith("ssl/private").isNotIn("passwd", "group", "");
        }
    }

    @Test
    void argumentsBuildEtcFromGeneratedFilesAndHostEntries() {
        EtcSkeleton etc = EtcSkeleton.prepare(state);
        List<String> offline = new ArrayList<>();
        List<String> online = new ArrayList<>();

        etc.addArguments(offline, false);
        etc.addArguments(online, true);

        assertThat(offline.subList(0, 2)).containsExactly("--dir", "/etc");
        for (String name : List.of("passwd", "group", "hosts", "nsswitch.conf")) {
            assertThat(java.util.Collections.indexOfSubList(offline,
                    List.of("--ro-bind", dir().resolve(name).toString(), "/etc/" + name))).as(name).isNotNegative();
        }
        for (String entry : etc.hostEntries()) {
            assertThat(java.util.Collections.indexOfSubList(offline, List.of("--ro-bind", "/etc/" + entry, "/etc/" + entry)))
                    .as(entry).isNotNegative();
        }
        assertThat(offline).doesNotContain("/etc/resolv.conf", "--bind");
        assertThat(online.subList(online.size() - 3, online.size()))
                .containsExactly("--ro-bind", dir().resolve("resolv.conf").toString(), "/etc/resolv.conf");
        assertThat(online.subList(0, online.size() - 3)).isEqualTo(offline);
        // every option is a directory or a read-only bind
        int expected = 2 + 3 * (etc.hostEntries().size() + 4);
        assertThat(offline).hasSize(expected);
    }
}
