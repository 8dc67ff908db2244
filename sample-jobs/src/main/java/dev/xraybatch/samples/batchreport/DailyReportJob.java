package dev.xraybatch.samples.batchreport;

import java.net.URL;
import java.util.List;
import java.util.Map;

import dev.xraybatch.samples.s3.S3Clients;
import dev.xraybatch.samples.s3.S3Location;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An AWS Batch job: fetches exchange rates over HTTP, reads the order files (CSV) under an S3 prefix, and writes
 * the day's totals in the rates' base currency as one JSON object to S3.
 *
 * <pre>java -cp 'sample-jobs.jar:lib/*' dev.xraybatch.samples.batchreport.DailyReportJob \
 *     https://rates.example.com/rates.json s3://bucket/orders/ s3://bucket/reports/</pre>
 *
 * The report is named after the Batch job id ({@code AWS_BATCH_JOB_ID}, which AWS Batch sets; {@code local}
 * without it). The agent traces the S3 calls and annotates the root segment with the job id, attempt and queue;
 * {@code batch-report/xray-batch.yaml} adds the job's three steps.
 */
public final class DailyReportJob {
    private DailyReportJob() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DailyReportJob <rates URL> s3://bucket/orders-prefix/ s3://bucket/reports-prefix/");
            System.exit(2);
        }
        URL ratesUrl = new URL(args[0]);
        S3Location orders = S3Location.parse(args[1]);
        S3Location reports = S3Location.parse(args[2]);
        String jobId = System.getenv("AWS_BATCH_JOB_ID");
        try (S3Client s3 = S3Clients.create()) {
            DailyReport report = new DailyReport(s3);
            ExchangeRates rates = report.fetchRates(ratesUrl);
            List<Order> read = report.readOrders(orders);
            Map<String, Double> totals = report.totals(read, rates);
            String written = report.writeReport(reports, jobId == null || jobId.isEmpty() ? "local" : jobId, totals);
            System.out.println("report of " + read.size() + " orders written to " + written + ": " + totals);
        }
    }
}
