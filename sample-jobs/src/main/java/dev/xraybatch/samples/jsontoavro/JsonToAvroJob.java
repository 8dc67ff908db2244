package dev.xraybatch.samples.jsontoavro;

import java.util.List;

import dev.xraybatch.samples.s3.S3Clients;
import dev.xraybatch.samples.s3.S3Location;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Converts every JSON file under an S3 prefix to an Avro data file under another prefix.
 *
 * <pre>java -cp 'sample-jobs.jar:lib/*' dev.xraybatch.samples.jsontoavro.JsonToAvroJob s3://bucket/in/ s3://bucket/out/</pre>
 *
 * A file that cannot be converted is reported and skipped, so that one bad file does not stop the batch; the
 * summary line counts it. Nothing here knows about tracing: the agent traces the S3 calls, and
 * {@code json-to-avro/xray-batch.yaml} makes each file's conversion a subsegment (a skipped file's is a fault).
 */
public final class JsonToAvroJob {
    private JsonToAvroJob() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: JsonToAvroJob s3://bucket/input-prefix/ s3://bucket/output-prefix/");
            System.exit(2);
        }
        S3Location input = S3Location.parse(args[0]);
        S3Location output = S3Location.parse(args[1]);
        try (S3Client s3 = S3Clients.create()) {
            JsonToAvroConverter converter = new JsonToAvroConverter(s3, output);
            List<String> keys = converter.listJsonFiles(input);
            int converted = 0;
            long records = 0;
            for (String key : keys) {
                try {
                    Conversion conversion = converter.convert(input.bucket, key);
                    converted++;
                    records += conversion.getRecords();
                    System.out.println(conversion);
                } catch (RuntimeException e) {
                    System.out.println(key + " skipped: " + e.getMessage());
                }
            }
            System.out.println("converted " + converted + " of " + keys.size() + " files (" + records
                    + " records) from " + input + " to " + output);
        }
    }
}
