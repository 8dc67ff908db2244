package dev.xraybatch.samples.batchreport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.xraybatch.samples.s3.S3Location;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The steps of the daily report; each is a subsegment through the job's pointcut file. */
public final class DailyReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TIMEOUT_MILLIS = 10_000;

    private final S3Client s3;

    public DailyReport(S3Client s3) {
        this.s3 = s3;
    }

    /** GET of the rates document. */
    public ExchangeRates fetchRates(URL url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setConnectTimeout(TIMEOUT_MILLIS);
        connection.setReadTimeout(TIMEOUT_MILLIS);
        connection.setRequestProperty("Accept", "application/json");
        try {
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException("GET " + url + " answered HTTP " + status);
            }
            JsonNode body;
            try (InputStream in = connection.getInputStream()) {
                body = JSON.readTree(in);
            }
            Map<String, Double> rates = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> entries = body.path("rates").fields();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> entry = entries.next();
                rates.put(entry.getKey(), entry.getValue().asDouble());
            }
            return new ExchangeRates(body.path("base").asText("EUR"), rates);
        } finally {
            connection.disconnect();
        }
    }

    /** Every order of every {@code .csv} object under the prefix. */
    public List<Order> readOrders(S3Location prefix) {
        List<Order> orders = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(prefix.bucket).prefix(prefix.prefix)).contents()) {
            if (object.key().endsWith(".csv")) {
                String csv = s3.getObjectAsBytes(r -> r.bucket(prefix.bucket).key(object.key())).asUtf8String();
                orders.addAll(parse(csv, object.key()));
            }
        }
        return orders;
    }

    /** Totals per currency and overall, in the rates' base currency. */
    public Map<String, Double> totals(List<Order> orders, ExchangeRates rates) {
        Map<String, Double> totals = new TreeMap<>();
        double all = 0;
        for (Order order : orders) {
            double inBase = rates.toBase(order.currency, order.amount);
            totals.merge(order.currency, inBase, Double::sum);
            all += inBase;
        }
        totals.put("total_" + rates.getBase(), all);
        totals.replaceAll((currency, amount) -> Math.round(amount * 100) / 100.0);
        return totals;
    }

    /** Writes {@code <prefix><reportName>.json}; returns its S3 URI. */
    public String writeReport(S3Location prefix, String reportName, Map<String, Double> totals) {
        String key = prefix.prefix + reportName + ".json";
        byte[] body;
        try {
            body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(totals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s3.putObject(r -> r.bucket(prefix.bucket).key(key).contentType("application/json"), RequestBody.fromBytes(body));
        return "s3://" + prefix.bucket + "/" + key;
    }

    private static List<Order> parse(String csv, String key) {
        List<Order> orders = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new StringReader(csv))) {
            String header = lines.readLine();
            if (header == null || !header.trim().equals("order_id,currency,amount")) {
                throw new IllegalArgumentException(key + ": expected the header order_id,currency,amount");
            }
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.trim().isEmpty()) {
                    continue;
                }
                String[] fields = line.split(",");
                if (fields.length != 3) {
                    throw new IllegalArgumentException(key + ": not three fields: " + line);
                }
                orders.add(new Order(fields[0].trim(), fields[1].trim(), Double.parseDouble(fields[2].trim())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return orders;
    }
}
