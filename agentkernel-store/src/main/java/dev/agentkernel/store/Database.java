package dev.agentkernel.store;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.JDBC;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * One SQLite database, open and at the current schema version. It keeps a single connection
 * and lets one thread at a time use it, so every read and write is serialized; that is ample
 * for the few writes per command AgentKernel makes. Failures are reported as
 * {@link SandboxFailureException}s whose message names the file.
 *
 * <p>A file database uses write-ahead logging with {@code synchronous=NORMAL}: a change that
 * has returned survives a crash of the process (not necessarily a power loss). Its file is
 * made readable by its owner only.
 */
public final class Database implements AutoCloseable {

    /** How long a statement waits for another process's lock before failing. */
    static final int BUSY_TIMEOUT_MILLIS = 5000;
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final String MEMORY = ":memory:";

    private final Optional<Path> file;
    private final String location;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    /**
     * Work done with the connection. It must not keep the connection, nor change its
     * auto-commit mode.
     *
     * @param <T> what the work returns
     */
    @FunctionalInterface
    public interface Work<T> {
        /**
         * Does the work.
         *
         * @param connection the database's connection, for the duration of the call only
         * @return the result
         * @throws SQLException if a statement fails
         */
        T apply(Connection connection) throws SQLException;
    }

    private Database(Optional<Path> file, String location, Connection connection) {
        this.file = file;
        this.location = location;
        this.connection = connection;
    }

    /**
     * Opens the database in {@code file}, creating it (and its missing parent directories,
     * mode 0700) with mode 0600 if it does not exist, and brings its schema up to date.
     *
     * @throws SandboxFailureException naming the file if it cannot be created or opened, is not
     *         an SQLite database, is damaged, or was written by a newer AgentKernel
     */
    public static Database open(Path file) {
        return open(file, Migrations.ALL);
    }

    /** {@link #open(Path)} with another schema history (for tests). */
    static Database open(Path file, List<Migration> migrations) {
        Path path = file.toAbsolutePath().normalize();
        prepareFile(path);
        return connect("jdbc:sqlite:" + path, Optional.of(path), path.toString(), migrations);
    }

    /** A new, empty database in memory, at the current schema version; gone once closed. */
    public static Database inMemory() {
        return inMemory(Migrations.ALL);
    }

    /** {@link #inMemory()} with another schema history (for tests). */
    static Database inMemory(List<Migration> migrations) {
        return connect("jdbc:sqlite::memory:", Optional.empty(), MEMORY, migrations);
    }

    /** The file of the database; empty for one in memory. */
    public Optional<Path> file() {
        return file;
    }

    /** The schema version the database is at (its {@code PRAGMA user_version}). */
    public int schemaVersion() {
        return withConnection(Migrations::userVersion);
    }

    /**
     * Runs {@code work} with the connection, in auto-commit mode: each statement is its own
     * transaction. No other thread uses the connection meanwhile.
     *
     * @throws SandboxFailureException naming the file if a statement fails or the database is closed
     */
    public <T> T withConnection(Work<T> work) {
        Objects.requireNonNull(work, "work");
        lock.lock();
        try {
            requireOpen();
            return work.apply(connection);
        } catch (SQLException e) {
            throw failure("use", e);
        } finally {
            lock.unlock();
        }
    }

    /** Reads one row into a value. */
    @FunctionalInterface
    public interface RowMapper<T> {
        /**
         * Maps the current row.
         *
         * @param row the result set, on the row to read
         * @return the value
         * @throws SQLException if a column cannot be read
         */
        T map(java.sql.ResultSet row) throws SQLException;
    }

    /**
     * The rows of {@code sql} with {@code parameters} bound in order, each through {@code mapper}.
     *
     * @throws SandboxFailureException naming the file if the query fails
     */
    public <T> java.util.List<T> query(String sql, RowMapper<T> mapper, Object... parameters) {
        return withConnection(c -> {
            try (java.sql.PreparedStatement select = c.prepareStatement(sql)) {
                bind(select, parameters);
                try (java.sql.ResultSet rows = select.executeQuery()) {
                    java.util.List<T> out = new java.util.ArrayList<>();
                    while (rows.next()) {
                        out.add(mapper.map(rows));
                    }
                    return java.util.List.copyOf(out);
                }
            }
        });
    }

    /** The first row of {@code sql}, if any; see {@link #query}. */
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... parameters) {
        return query(sql, mapper, parameters).stream().findFirst();
    }

    /**
     * Runs one {@code INSERT}, {@code UPDATE} or {@code DELETE} with {@code parameters} bound in
     * order (a null binds SQL NULL).
     *
     * @return how many rows it changed
     * @throws SandboxFailureException naming the file if it fails
     */
    public int update(String sql, Object... parameters) {
        return withConnection(c -> {
            try (java.sql.PreparedStatement statement = c.prepareStatement(sql)) {
                bind(statement, parameters);
                return statement.executeUpdate();
            }
        });
    }

    private static void bind(java.sql.PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }

    /**
     * Runs {@code work} in one transaction that holds the write lock from its start: commits if
     * it returns, rolls back if it throws. Within another transaction of this thread, it simply
     * joins that one.
     *
     * @throws SandboxFailureException naming the file if a statement fails or the database is closed
     */
    public <T> T inTransaction(Work<T> work) {
        Objects.requireNonNull(work, "work");
        lock.lock();
        try {
            requireOpen();
            if (!connection.getAutoCommit()) {
                return work.apply(connection);
            }
            return transaction(work);
        } catch (SQLException e) {
            throw failure("write", e);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the connection; later use fails. Closing again does nothing. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        } finally {
            lock.unlock();
        }
    }

    /** The file's path, or {@code :memory:}. */
    @Override
    public String toString() {
        return "Database[" + location + "]";
    }

    /** Where the database is, for messages: its file's path or {@code :memory:}. */
    String location() {
        return location;
    }

    private <T> T transaction(Work<T> work) throws SQLException {
        connection.setAutoCommit(false); // the driver begins an IMMEDIATE transaction
        T result;
        try {
            result = work.apply(connection);
            connection.commit();
        } catch (SQLException | RuntimeException | Error e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            try {
                connection.setAutoCommit(true);
            } catch (SQLException restoreFailure) {
                e.addSuppressed(restoreFailure);
            }
            throw e;
        }
        connection.setAutoCommit(true);
        return result;
    }

    private void requireOpen() {
        if (closed) {
            throw new SandboxFailureException("state database " + location + " is closed");
        }
    }

    private SandboxFailureException failure(String action, SQLException e) {
        return failure(action, location, e);
    }

    private static Database connect(String url, Optional<Path> file, String location, List<Migration> migrations) {
        SQLiteConfig config = new SQLiteConfig();
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        Connection connection;
        try {
            connection = JDBC.createConnection(url, config.toProperties());
        } catch (SQLException e) {
            throw failure("open", location, e);
        }
        try {
            configure(connection, file.isPresent());
            Migrations.apply(connection, migrations, location);
            return new Database(file, location, connection);
        } catch (SQLException e) {
            closeQuietly(connection, e);
            throw failure("open", location, e);
        } catch (RuntimeException | Error e) {
            closeQuietly(connection, e);
            throw e;
        }
    }

    private static void configure(Connection connection, boolean onDisk) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
            if (onDisk) {
                // The first statement that reads the file: a damaged one fails here.
                try (ResultSet rows = statement.executeQuery("PRAGMA journal_mode = WAL")) {
                    String mode = rows.next() ? rows.getString(1) : "unknown";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new SQLException("cannot switch to write-ahead logging (journal mode stayed " + mode + ")");
                    }
                }
            }
            statement.execute("PRAGMA synchronous = NORMAL");
            statement.execute("PRAGMA foreign_keys = ON");
        }
    }

    /** Creates the parent directories (0700) and an empty file (0600), or narrows an existing file to 0600. */
    private static void prepareFile(Path path) {
        boolean posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path parent = path.getParent();
        try {
            if (parent != null && !Files.isDirectory(parent)) {
                if (posix) {
                    Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
                } else {
                    Files.createDirectories(parent);
                }
            }
            if (Files.notExists(path)) {
                try {
                    if (posix) {
                        Files.createFile(path, PosixFilePermissions.asFileAttribute(FILE_MODE));
                    } else {
                        Files.createFile(path);
                    }
                } catch (FileAlreadyExistsException raced) {
                    // created by another process meanwhile: fine
                }
            } else if (posix && Files.isRegularFile(path) && !Files.getPosixFilePermissions(path).equals(FILE_MODE)) {
                Files.setPosixFilePermissions(path, FILE_MODE);
            }
        } catch (IOException e) {
            throw new SandboxFailureException("cannot create state database " + path + ": " + e, e);
        }
    }

    private static SandboxFailureException failure(String action, String location, SQLException e) {
        String hint = switch (e instanceof SQLiteException s ? s.getResultCode().code & 0xff : -1) {
            case 11, 26 -> "; the file is damaged or is not an AgentKernel state database:"
                    + " move it aside and AgentKernel will start with an empty one";
            case 14 -> "; check that the path is a file in a directory you can write";
            case 13 -> "; the disk is full";
            case 8 -> "; check that you can write the file and its directory";
            case 5, 6 -> "; another process holds it locked";
            default -> "";
        };
        return new SandboxFailureException("cannot " + action + " state database " + location + ": "
                + e.getMessage() + hint, e);
    }

    private static void closeQuietly(Connection connection, Throwable primary) {
        try {
            connection.close();
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }
}
