package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox's /etc: generated files plus copies of allow-listed host entries, one read-only mount. */
class EtcSkeletonTest {

    @TempDir
    Path state;

    @Test
    void writesTheGeneratedFilesInBothVariants() throws Exception {
        EtcSkeleton etc = EtcSkeleton.prepare(state);
        for (boolean network : List.of(false, true)) {
            Path dir = etc.tree(network);
            assertThat(dir.resolve("passwd")).content()
                    .isEqualTo("root:x:0:0:root:/workspace:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
            assertThat(dir.resolve("group")).content().isEqualTo("root:x:0:\nnogroup:x:65534:\n");
            assertThat(dir.resolve("hosts")).content().startsWith("127.0.0.1\tlocalhost\n").contains("::1\tlocalhost");
            assertThat(dir.resolve("nsswitch.conf")).content().contains("passwd: files\n").contains("hosts: files dns\n");
            for (String name : EtcSkeleton.GENERATED) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
                        .as(name).isEqualTo("rw-r--r--");
            }
        }
        assertThat(etc.tree(true).resolve("resolv.conf")).content().isEqualTo("nameserver 10.0.2.3\noptions edns0\n");
        assertThat(etc.tree(false).resolve("resolv.conf")).doesNotExist();
    }

    @Test
    void copiesExactlyTheAllowListedHostEntriesAndNothingSecret() throws Exception {
        EtcSkeleton etc = EtcSkeleton.prepare(state);
        Path dir = etc.tree(false);
        List<String> top = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.forEach(p -> top.add(p.getFileName().toString()));
        }
        for (String name : top) {
            boolean allowed = EtcSkeleton.GENERATED.contains(name)
                    || etc.hostEntries().stream().anyMatch(e -> e.equals(name) || e.startsWith(name + "/"));
            assertThat(allowed).as("/etc/%s in the sandbox", name).isTrue();
        }
        assertThat(dir.resolve("shadow")).doesNotExist();
        assertThat(dir.resolve("gshadow")).doesNotExist();
        assertThat(dir.resolve("sudoers")).doesNotExist();
        assertThat(dir.resolve("ssh")).doesNotExist();
        assertThat(dir.resolve("ssl/private")).doesNotExist();
        assertThat(dir.resolve("machine-id")).doesNotExist();
        for (String entry : etc.hostEntries()) {
            Path host = Path.of("/etc").resolve(entry);
            Path copy = dir.resolve(entry);
            assertThat(Files.exists(copy, LinkOption.NOFOLLOW_LINKS)).as(entry).isTrue();
            if (Files.isSymbolicLink(host)) {
                assertThat(Files.readSymbolicLink(copy)).as(entry).isEqualTo(Files.readSymbolicLink(host));
            } else if (Files.isRegularFile(host) && Files.isReadable(host)) {
                assertThat(Files.mismatch(host, copy)).as(entry).isEqualTo(-1L);
            }
        }
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
    void preparingAgainReusesTheTreeAndATamperedTreeIsNotTrustedBlindly() throws Exception {
        EtcSkeleton first = EtcSkeleton.prepare(state);
        Path marker = first.tree(false).resolve("passwd");
        long modified = Files.getLastModifiedTime(marker).toMillis();
        EtcSkeleton second = EtcSkeleton.prepare(state);
        assertThat(second.tree(false)).isEqualTo(first.tree(false));
        assertThat(Files.getLastModifiedTime(marker).toMillis()).as("not rebuilt").isEqualTo(modified);
        // Only the current tree is kept (once the host is looked at again).
        Files.createDirectories(state.resolve("etc/v2-0000000000000000/offline"));
        Files.delete(state.resolve("etc/current"));
        EtcSkeleton.prepare(state);
        try (Stream<Path> trees = Files.list(state.resolve("etc"))) {
            assertThat(trees.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(first.tree(false).getParent().getFileName().toString(), "current");
        }
    }
}
