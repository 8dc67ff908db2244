package dev.xraybatch.agent.instrument.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\u0000', nullValues = "-", value = {
        "jdbc:postgresql://db.example.com:5432/orders?user=app&password=s3cret&ssl=true | jdbc:postgresql://db.example.com:5432/orders?user=app&ssl=true | db.example.com",
        "jdbc:postgresql://db:5432/orders?password=s3cret | jdbc:postgresql://db:5432/orders | db",
        "jdbc:postgresql://db/orders?password=s3cret&sslmode=require&sslpassword=k3y | jdbc:postgresql://db/orders?sslmode=require | db",
        "jdbc:mysql://app:s3cret@mysql.internal:3306/shop?useSSL=true | jdbc:mysql://mysql.internal:3306/shop?useSSL=true | mysql.internal",
        "jdbc:oracle:thin:scott/s3cret@ora.internal:1521:ORCL | jdbc:oracle:thin:@ora.internal:1521:ORCL | ora.internal",
        "jdbc:oracle:thin:scott/s3cret@//ora.internal:1521/svc | jdbc:oracle:thin:@//ora.internal:1521/svc | ora.internal",
        "jdbc:sqlserver://sql.internal:1433;databaseName=shop;user=sa;password=s3cret;encrypt=true | jdbc:sqlserver://sql.internal:1433;databaseName=shop;user=sa;encrypt=true | sql.internal",
        "jdbc:redshift://rs.example.com:5439/dev?AccessKeyID=AKIDEXAMPLE&SecretAccessKey=s3cret&Token=t0k | jdbc:redshift://rs.example.com:5439/dev | rs.example.com",
        "jdbc:postgresql://h1:5432,h2:5433/orders | jdbc:postgresql://h1:5432,h2:5433/orders | h1",
        "jdbc:postgresql://[::1]:5432/orders | jdbc:postgresql://[::1]:5432/orders | ::1",
        "jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1 | jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1 | -",
        "jdbc:h2:tcp://localhost:9092/~/test;PASSWORD=s3cret | jdbc:h2:tcp://localhost:9092/~/test | localhost",
        "jdbc:mysql://(host=m1,port=3306,user=app,password=s3cret)/shop | jdbc:mysql://(host=m1,port=3306,user=app)/shop | -",
    })
    void dropsCredentialsAndFindsTheHost(String url, String safe, String host) {
        assertThat(JdbcUrls.withoutCredentials(url)).isEqualTo(safe).doesNotContain("s3cret");
        assertThat(JdbcUrls.host(url)).isEqualTo(host);
    }
}
