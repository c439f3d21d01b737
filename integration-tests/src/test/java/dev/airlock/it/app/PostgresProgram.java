package dev.airlock.it.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An ordinary program using the PostgreSQL JDBC driver against the server at the JDBC URL it is
 * given: it creates a (session-temporary) table, inserts rows with a prepared statement in a
 * transaction it commits, updates in one it rolls back, queries, and prints the results, the
 * server's version and the client address the server saw. A failure is printed as its exception
 * and causes ({@code EX class: message <- class: message...}), and the program exits with 1.
 */
public final class PostgresProgram {
    private PostgresProgram() {}

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0])) {
            try (Statement st = c.createStatement()) {
                st.executeUpdate(
                        "create temporary table item(id int primary key, name varchar(40), price numeric(10,2))");
            }
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("insert into item values (?, ?, ?)")) {
                for (int id = 1; id <= 200; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, "item-" + id);
                    insert.setBigDecimal(3, new java.math.BigDecimal(id).movePointLeft(1));
                    insert.addBatch();
                }
                System.out.println("inserted " + insert.executeBatch().length);
            }
            c.commit();
            try (Statement st = c.createStatement()) {
                st.executeUpdate("update item set price = 0");
            }
            c.rollback();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("update item set price = price * 2 where mod(id, 3) = 0");
                st.executeUpdate("delete from item where id > 190");
                print(st, "select count(*), sum(price), max(name) from item");
                print(st, "select id, name, price from item where mod(id, 50) = 0 order by id");
                print(st, "select current_setting('server_version_num')::int / 10000, inet_client_addr()");
            }
            try (PreparedStatement query =
                    c.prepareStatement("select name from item where price > ? order by id limit 3")) {
                query.setBigDecimal(1, new java.math.BigDecimal("37"));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        System.out.println("expensive " + rows.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            System.out.println(ExceptionChain.of(e));
            System.exit(1);
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
