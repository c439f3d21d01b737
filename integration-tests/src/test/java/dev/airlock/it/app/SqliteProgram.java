package dev.airlock.it.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

/**
 * An ordinary program using SQLite through sqlite-jdbc, whose native library the driver extracts
 * to {@code java.io.tmpdir} and loads: it creates a database in the directory it is given, writes
 * it once with a rollback journal and once in write-ahead-log mode (a shared-memory file the
 * native code maps), queries it, and prints the rows and the files left, relative to the
 * directory, so a run in the sandbox prints exactly what a plain run prints.
 */
public final class SqliteProgram {
    private SqliteProgram() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("notes.db"))) {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("create table note(id integer primary key, title text not null, body blob)");
            }
            insert(c, 1, 60);
            print(c, "journal");
            try (Statement st = c.createStatement();
                    ResultSet mode = st.executeQuery("pragma journal_mode=wal")) {
                mode.next();
                System.out.println("journal_mode " + mode.getString(1));
            }
            insert(c, 61, 120);
            print(c, "wal");
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> "file " + dir.relativize(p)).sorted().forEach(System.out::println);
        }
    }

    private static void insert(Connection c, int from, int to) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("insert into note(id, title, body) values (?, ?, ?)")) {
            for (int id = from; id <= to; id++) {
                insert.setInt(1, id);
                insert.setString(2, "title-" + id);
                insert.setBytes(3, new byte[id * 17]);
                insert.executeUpdate();
            }
        }
        c.commit();
        c.setAutoCommit(true);
    }

    private static void print(Connection c, String phase) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rows =
                    st.executeQuery("select id, title, length(body) from note where id % 20 = 0 order by id desc")) {
                while (rows.next()) {
                    System.out.println(
                            phase + " row " + rows.getInt(1) + " " + rows.getString(2) + " " + rows.getInt(3));
                }
            }
            try (ResultSet total = st.executeQuery("select count(*), sum(length(body)) from note")) {
                total.next();
                System.out.println(phase + " count " + total.getInt(1) + " bytes " + total.getLong(2));
            }
        }
    }
}
