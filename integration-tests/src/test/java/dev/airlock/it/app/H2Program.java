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
 * An ordinary program using the H2 database engine with a file database in the directory it is
 * given: it creates a table, inserts rows in a transaction, closes the database, opens it again
 * (H2 reads back and locks its own files through file channels), updates and queries it, and
 * prints the results and the files left, relative to the directory.
 */
public final class H2Program {
    private H2Program() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String url = "jdbc:h2:file:" + dir.resolve("shop");
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("create table item(id int primary key, name varchar(40), price decimal(10,2))");
            }
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("insert into item values (?, ?, ?)")) {
                for (int id = 1; id <= 200; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, "item-" + id);
                    insert.setBigDecimal(3, new java.math.BigDecimal(id).movePointLeft(1));
                    insert.executeUpdate();
                }
            }
            c.commit();
        }
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("update item set price = price * 2 where mod(id, 3) = 0");
                st.executeUpdate("delete from item where id > 190");
                print(st, "select count(*), sum(price), max(name) from item");
                print(st, "select id, name, price from item where mod(id, 50) = 0 order by id");
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> "file " + dir.relativize(p)).sorted().forEach(System.out::println);
        }
    }

    private static void print(Statement st, String query) throws SQLException {
        try (ResultSet rows = st.executeQuery(query)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                StringBuilder line = new StringBuilder("row");
                for (int i = 1; i <= columns; i++) {
                    line.append(' ').append(rows.getString(i));
                }
                System.out.println(line);
            }
        }
    }
}
