// test/helpers/JdbcRemarks.java URL USER SCHEMA - what pgJDBC (Debian's
// libpostgresql-jdbc-java, the driver of Metabase and DBeaver) gives a BI
// tool for the views of SCHEMA: one line
// per view "TABLE name<TAB>TABLE_TYPE<TAB>REMARKS" and per column "COLUMN view.name<TAB>
// TYPE_NAME(COLUMN_SIZE,DECIMAL_DIGITS)<TAB>REMARKS", from getTables() and
// getColumns().  Run as a single-file program: java -cp postgresql.jar
// JdbcRemarks.java URL USER SCHEMA.
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;

public class JdbcRemarks {
    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], args[1], "")) {
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet t = md.getTables(null, args[2], "%", new String[] {"VIEW"})) {
                while (t.next()) {
                    System.out.println("TABLE " + t.getString("TABLE_NAME") + "\t" + t.getString("TABLE_TYPE") + "\t"
                                       + t.getString("REMARKS"));
                }
            }
            try (ResultSet col = md.getColumns(null, args[2], "%", "%")) {
                while (col.next()) {
                    System.out.println("COLUMN " + col.getString("TABLE_NAME") + "." + col.getString("COLUMN_NAME") + "\t"
                                       + col.getString("TYPE_NAME") + "(" + col.getInt("COLUMN_SIZE") + ","
                                       + col.getInt("DECIMAL_DIGITS") + ")\t" + col.getString("REMARKS"));
                }
            }
        }
    }
}
