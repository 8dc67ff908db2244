package dev.xraybatch.samples.customerscores;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.xraybatch.samples.s3.S3Location;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The job's steps, each a method so that the pointcut file can name it. */
public final class CustomerScores {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource database;
    private final ScoringApi api;
    private final S3Client s3;

    CustomerScores(DataSource database, ScoringApi api, S3Client s3) {
        this.database = database;
        this.api = api;
        this.s3 = s3;
    }

    /** The active customers, in id order. */
    public List<Customer> readCustomers() throws SQLException {
        List<Customer> customers = new ArrayList<>();
        try (Connection c = database.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT id, country FROM customer WHERE active = ? ORDER BY id")) {
            select.setBoolean(1, true);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    customers.add(new Customer(rows.getLong(1), rows.getString(2)));
                }
            }
        }
        return customers;
    }

    /** One scoring request per customer; unknown ones keep -1. Returns how many were scored. */
    public int scoreCustomers(List<Customer> customers) throws IOException {
        int scored = 0;
        for (Customer customer : customers) {
            customer.score = api.score(customer);
            if (customer.score >= 0) {
                scored++;
            }
        }
        return scored;
    }

    /** The scores back into the database, as one batch in one transaction. */
    public int saveScores(List<Customer> customers) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE customer SET score = ? WHERE id = ?")) {
            c.setAutoCommit(false);
            int batched = 0;
            for (Customer customer : customers) {
                if (customer.score >= 0) {
                    update.setInt(1, customer.score);
                    update.setLong(2, customer.id);
                    update.addBatch();
                    batched++;
                }
            }
            update.executeBatch();
            c.commit();
            return batched;
        }
    }

    /** The run's scores as one JSON array under the report prefix; returns its s3:// URI. */
    public String writeReport(S3Location reports, String runId, List<Customer> customers) {
        ArrayNode rows = JSON.createArrayNode();
        for (Customer customer : customers) {
            rows.addObject().put("id", customer.id).put("country", customer.country).put("score", customer.score);
        }
        String key = reports.prefix + "scores-" + runId + ".json";
        s3.putObject(r -> r.bucket(reports.bucket).key(key).contentType("application/json"),
                RequestBody.fromString(rows.toString(), StandardCharsets.UTF_8));
        return "s3://" + reports.bucket + "/" + key;
    }

    /** Tells the scoring API what the run did. */
    public void reportRun(String runId, int scored, int unknown) throws IOException {
        api.reportRun(runId, scored, unknown);
    }
}
