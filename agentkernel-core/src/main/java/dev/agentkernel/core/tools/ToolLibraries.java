package dev.agentkernel.core.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tool libraries of a directory, found by reading their sources (never by running them):
 * a module's docstring (Python) or leading block comment (JavaScript) describes it, its
 * top-level functions not starting with {@code _} are its tools, each with its own docstring or
 * comment. The result is cached until an entry of the directory changes (name, size or time) or
 * {@link #clearCache()} is called. Thread-safe.
 */
public final class ToolLibraries {

    /** Largest source file read. */
    static final long MAX_SOURCE_BYTES = 1 << 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PY_DEF = Pattern.compile("^(?:async\\s+)?def\\s+([A-Za-z][A-Za-z0-9_]*)\\s*\\((.*?)\\)\\s*(?:->[^:]*)?:",
            Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern PY_DOC = Pattern.compile("\\A\\s*(?:[rRuU]?)(\"\"\"|''')(.*?)\\1", Pattern.DOTALL);
    private static final Pattern JS_FUNCTION = Pattern.compile(
            "(/\\*\\*(?:(?!\\*/).)*\\*/\\s*)?^(?:export\\s+)?(?:async\\s+)?function\\s+([A-Za-z][A-Za-z0-9_$]*)\\s*\\(([^)]*)\\)",
            Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern JS_HEAD = Pattern.compile("\\A\\s*(?:#![^\\n]*\\n\\s*)?/\\*\\*?(.*?)\\*/", Pattern.DOTALL);

    private final Optional<Path> dir;
    private List<ToolLibrary> cached;   // guarded by this
    private String cachedSignature;     // guarded by this

    /** The libraries of {@code dir} (empty: none configured). */
    public ToolLibraries(Optional<Path> dir) {
        this.dir = dir;
    }

    /** The directory, if one is configured. */
    public Optional<Path> dir() {
        return dir;
    }

    /** Every library, by name. */
    public synchronized List<ToolLibrary> list() {
        if (dir.isEmpty()) {
            return List.of();
        }
        String signature = signature(dir.get());
        if (cached == null || !signature.equals(cachedSignature)) {
            cached = scan(dir.get());
            cachedSignature = signature;
        }
        return cached;
    }

    /** The libraries that mention every word of {@code query}; all for a blank query. */
    public List<ToolLibrary> search(String query) {
        return list().stream().filter(l -> query == null || query.isBlank() || l.matches(query)).toList();
    }

    /** The library of that name. */
    public Optional<ToolLibrary> find(String name) {
        return list().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** Forgets what was found; the next call reads the directory again. */
    public synchronized void clearCache() {
        cached = null;
        cachedSignature = null;
    }

    private static String signature(Path dir) {
        StringBuilder sb = new StringBuilder();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            List<Path> sorted = new ArrayList<>();
            entries.forEach(sorted::add);
            sorted.sort(Comparator.naturalOrder());
            for (Path p : sorted) {
                Path source = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? p.resolve("__init__.py") : p;
                sb.append(p.getFileName()).append('\0');
                if (Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                    BasicFileAttributes a = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    sb.append(a.size()).append('\0').append(a.lastModifiedTime().toMillis()).append('\n');
                }
            }
        } catch (IOException e) {
            return "unreadable:" + e.getMessage();
        }
        return sb.toString();
    }

    private static List<ToolLibrary> scan(Path dir) {
        List<ToolLibrary> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String file = p.getFileName().toString();
                if (file.startsWith(".") || file.startsWith("_")) {
                    continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Path init = p.resolve("__init__.py");
                    if (NAME.matcher(file).matches() && Files.isRegularFile(init, LinkOption.NOFOLLOW_LINKS)) {
                        read(init).ifPresent(src -> found.add(python(file, src)));
                    }
                } else if (file.endsWith(".py") && NAME.matcher(base(file)).matches()
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    read(p).ifPresent(src -> found.add(python(base(file), src)));
                } else if (file.endsWith(".js") && NAME.matcher(base(file)).matches()
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    read(p).ifPresent(src -> found.add(javascript(base(file), src)));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        found.sort(Comparator.comparing(ToolLibrary::name));
        return List.copyOf(found);
    }

    private static String base(String file) {
        return file.substring(0, file.lastIndexOf('.'));
    }

    private static Optional<String> read(Path file) {
        try {
            if (Files.size(file) > MAX_SOURCE_BYTES) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    static ToolLibrary python(String name, String source) {
        String description = docstring(source);
        List<ToolFunction> functions = new ArrayList<>();
        Matcher m = PY_DEF.matcher(source);
        while (m.find()) {
            String fn = m.group(1);
            if (fn.startsWith("_")) {
                continue;
            }
            String params = m.group(2).replaceAll("\\s+", " ").strip();
            functions.add(new ToolFunction(fn, fn + "(" + params + ")", docstring(source.substring(m.end()))));
        }
        return new ToolLibrary(name, "python", description, functions);
    }

    static ToolLibrary javascript(String name, String source) {
        Matcher head = JS_HEAD.matcher(source);
        String description = "";
        Matcher first = JS_FUNCTION.matcher(source);
        boolean headIsFunctionDoc = first.find() && first.group(1) != null && first.start() == firstNonBlank(source);
        if (head.find() && !headIsFunctionDoc) {
            description = paragraph(head.group(1).replaceAll("(?m)^\\s*\\*\\s?", ""));
        }
        List<ToolFunction> functions = new ArrayList<>();
        Matcher m = JS_FUNCTION.matcher(source);
        while (m.find()) {
            String fn = m.group(2);
            if (fn.startsWith("_")) {
                continue;
            }
            String doc = m.group(1) == null ? "" : paragraph(m.group(1).strip()
                    .replaceAll("^/\\*\\*", "").replaceAll("\\*/$", "").replaceAll("(?m)^\\s*\\*\\s?", "")
                    .replaceAll("(?ms)^\\s*@.*", ""));
            functions.add(new ToolFunction(fn, fn + "(" + m.group(3).replaceAll("\\s+", " ").strip() + ")", doc));
        }
        return new ToolLibrary(name, "javascript", description, functions);
    }

    private static int firstNonBlank(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String docstring(String source) {
        String body = source.replaceFirst("\\A(?:\\s*#[^\\n]*\\n)*", "");
        Matcher m = PY_DOC.matcher(body);
        return m.find() ? paragraph(m.group(2)) : "";
    }

    /** The first paragraph, on one line. */
    private static String paragraph(String text) {
        String t = text.strip();
        int blank = t.indexOf("\n\n");
        if (blank < 0) {
            blank = t.indexOf("\n \n");
        }
        return (blank >= 0 ? t.substring(0, blank) : t).replaceAll("\\s+", " ").strip();
    }
}
