package dev.xraybatch.agenttests.awssdk;

import java.net.URI;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link SdkV2Job}'s SQS calls, apart: loading the job must not need the SQS client (see {@code s3AndDynamoDb}). */
final class SdkV2SqsCalls {
    private SdkV2SqsCalls() {
    }

    static void run(URI endpoint) {
        try (SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(SdkV2Job.credentials()).httpClient(UrlConnectionHttpClient.builder().build())
                .build()) {
            String queueUrl = sqs.createQueue(b -> b.queueName("xray-batch-" + SdkV2Job.RUN)).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("secret payload"));
            SdkV2Job.outcome("sqs-receive", sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1))
                    .messages().size() + " message(s)");
        }
    }
}
