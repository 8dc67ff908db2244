package dev.xraybatch.samples.customerscores;

import java.net.URI;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.xraybatch.samples.s3.S3Clients;
import dev.xraybatch.samples.s3.S3Location;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An AWS Batch job that talks to three kinds of remote system: reads the active customers from PostgreSQL through
 * a HikariCP pool, asks a scoring HTTP API for each customer's score (Apache HttpClient 5), writes the scores back
 * in one JDBC batch, writes a report to S3, and posts a summary of the run to the API (HttpURLConnection).
 *
 * <pre>DB_URL=jdbc:postgresql://db:5432/crm DB_USER=scores DB_PASSWORD=... \
 * java -cp 'sample-jobs.jar:lib/*' dev.xraybatch.samples.customerscores.CustomerScoresJob \
 *     https://scoring.example.com/ s3://bucket/scores/</pre>
 *
 * The database's credentials come from the environment, as AWS Batch passes secrets. The report is named after
 * the Batch job id ({@code AWS_BATCH_JOB_ID}; {@code local} without it). The agent traces the S3 call;
 * {@code customer-scores/xray-batch.yaml} adds the job's steps.
 */
public final class CustomerScoresJob {
    private CustomerScoresJob() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CustomerScoresJob <scoring API base URL> s3://bucket/reports-prefix/"
                    + " (database: DB_URL, DB_USER, DB_PASSWORD)");
            System.exit(2);
        }
        URI api = URI.create(args[0].endsWith("/") ? args[0] : args[0] + "/");
        S3Location reports = S3Location.parse(args[1]);
        String jobId = System.getenv("AWS_BATCH_JOB_ID");
        String runId = jobId == null || jobId.isEmpty() ? "local" : jobId;

        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(required("DB_URL"));
        pool.setUsername(required("DB_USER"));
        pool.setPassword(required("DB_PASSWORD"));
        pool.setMaximumPoolSize(2);
        pool.setPoolName("customer-scores");
        try (HikariDataSource database = new HikariDataSource(pool);
             ScoringApi scoring = new ScoringApi(api);
             S3Client s3 = S3Clients.create()) {
            CustomerScores job = new CustomerScores(database, scoring, s3);
            List<Customer> customers = job.readCustomers();
            int scored = job.scoreCustomers(customers);
            int saved = job.saveScores(customers);
            String report = job.writeReport(reports, runId, customers);
            job.reportRun(runId, scored, customers.size() - scored);
            System.out.println("scored " + scored + " of " + customers.size() + " customers, saved " + saved
                    + ", report " + report);
        }
    }

    private static String required(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.trim().isEmpty()) {
            System.err.println(variable + " is not set: DB_URL, DB_USER and DB_PASSWORD name the database");
            System.exit(2);
        }
        return value;
    }
}
