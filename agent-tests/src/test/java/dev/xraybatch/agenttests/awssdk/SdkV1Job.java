package dev.xraybatch.agenttests.awssdk;

import java.util.Map;

import com.amazonaws.AmazonServiceException;
import com.amazonaws.ClientConfiguration;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.retry.PredefinedRetryPolicies;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.ProvisionedThroughput;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.amazonaws.services.sqs.AmazonSQS;
import com.amazonaws.services.sqs.AmazonSQSClientBuilder;

/**
 * A job using the real AWS SDK v1 against local endpoints, in a child JVM; the v1 twin of {@link SdkV2Job}
 * ({@code main(scenario, endpoint)}, outcome lines alike). Only APIs of the oldest supported v1 are used.
 */
public final class SdkV1Job {
    static final String RUN = System.getProperty("run.id", "local");
    static final String NAME = "xray-batch-v1-" + RUN;

    private SdkV1Job() {
    }

    public static void main(String[] args) {
        String endpoint = args[1];
        switch (args[0]) {
            case "services" -> services(endpoint);
            case "errors" -> errors(endpoint);
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("job done");
    }

    static void services(String endpoint) {
        Object span = JobSpans.begin("load-data-v1");
        try {
            AmazonS3 s3 = s3(endpoint, 2);
            s3.createBucket(NAME);
            s3.putObject(NAME, "input/part-0001.csv", "a,b,c\n1,2,3\n");
            SdkV2Job.outcome("s3-get", s3.getObjectAsString(NAME, "input/part-0001.csv").length() + " chars");
            try {
                s3.getObjectMetadata(NAME, "input/missing.csv");
                SdkV2Job.outcome("s3-head-missing", "found?!");
            } catch (AmazonServiceException e) {
                SdkV2Job.outcome("s3-head-missing", e.getClass().getSimpleName() + " " + e.getStatusCode());
            }
            SdkV2Job.outcome("s3-presign", s3.generatePresignedUrl(NAME, "input/part-0001.csv",
                    new java.util.Date(System.currentTimeMillis() + 300_000)).getPath());

            AmazonDynamoDB dynamo = AmazonDynamoDBClientBuilder.standard()
                    .withEndpointConfiguration(new EndpointConfiguration(endpoint, "us-east-1"))
                    .withCredentials(credentials()).build();
            dynamo.createTable(new CreateTableRequest().withTableName(NAME)
                    .withKeySchema(new KeySchemaElement("id", KeyType.HASH))
                    .withAttributeDefinitions(new AttributeDefinition("id", ScalarAttributeType.S))
                    .withProvisionedThroughput(new ProvisionedThroughput(5L, 5L)));
            dynamo.putItem(NAME, Map.of("id", new AttributeValue("row-1")));
            SdkV2Job.outcome("dynamo-get", dynamo.getItem(new GetItemRequest().withTableName(NAME)
                    .withConsistentRead(true).withKey(Map.of("id", new AttributeValue("row-1")))).getItem()
                    .get("id").getS());

            AmazonSQS sqs = AmazonSQSClientBuilder.standard()
                    .withEndpointConfiguration(new EndpointConfiguration(endpoint, "us-east-1"))
                    .withCredentials(credentials()).build();
            String queueUrl = sqs.createQueue(NAME).getQueueUrl();
            sqs.sendMessage(queueUrl, "secret payload");
            SdkV2Job.outcome("sqs-receive", sqs.receiveMessage(queueUrl).getMessages().size() + " message(s)");
        } finally {
            JobSpans.end(span);
        }
    }

    static void errors(String endpoint) {
        Object span = JobSpans.begin("error-paths-v1");
        try {
            AmazonS3 s3 = s3(endpoint, 2);
            for (String key : new String[] {"missing", "throttled", "broken"}) {
                try {
                    s3.getObjectAsString("errors", key);
                    SdkV2Job.outcome("error-" + key, "no exception?!");
                } catch (AmazonServiceException e) {
                    SdkV2Job.outcome("error-" + key, e.getClass().getName() + " " + e.getStatusCode());
                }
            }
        } finally {
            JobSpans.end(span);
        }
    }

    static AWSStaticCredentialsProvider credentials() {
        return new AWSStaticCredentialsProvider(new BasicAWSCredentials("testing", "testing"));
    }

    static AmazonS3 s3(String endpoint, int retries) {
        return AmazonS3ClientBuilder.standard()
                .withEndpointConfiguration(new EndpointConfiguration(endpoint, "us-east-1"))
                .withPathStyleAccessEnabled(true).withCredentials(credentials())
                .withClientConfiguration(new ClientConfiguration()
                        .withRetryPolicy(PredefinedRetryPolicies.getDefaultRetryPolicyWithCustomMaxRetries(retries)))
                .build();
    }
}
