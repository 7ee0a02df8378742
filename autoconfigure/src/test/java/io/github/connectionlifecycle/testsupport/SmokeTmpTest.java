package io.github.connectionlifecycle.testsupport;
import org.junit.jupiter.api.Test;
import java.sql.*;
class SmokeTmpTest {
  @Test void smoke() throws Exception {
    long t=System.nanoTime();
    String url = EmbeddedMariaDb.createDatabase("smoke");
    System.out.println("STARTED in ms " + (System.nanoTime()-t)/1_000_000 + " " + url);
    try (Connection c = DriverManager.getConnection(url, "root", "")) {
      ResultSet rs = c.createStatement().executeQuery("select @@session.wait_timeout, version(), connection_id()"); rs.next();
      System.out.println("WT " + rs.getString(1) + " " + rs.getString(2));
      Thread.sleep(3000);
      try { c.createStatement().executeQuery("select 1"); System.out.println("ALIVE?!"); } catch (SQLException e) { System.out.println("DEAD " + e.getClass() + " " + e.getSQLState() + " " + e.getMessage()); }
    }
  }
}
