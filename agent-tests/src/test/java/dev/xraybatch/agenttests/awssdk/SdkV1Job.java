package dev.xraybatch.agenttests.awssdk;

import java.util.Map;

import dev.xraybatch.agenttests.core.jobs.Spans;

import com.amazonaws.AmazonClientException;
import com.amazonaws.AmazonServiceException;
import com.amazonaws.ClientConfiguration;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.retry.PredefinedRetryPolicies;
import com.amazonaws.retry.RetryPolicy;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.ProvisionedThroughput;
import com.amazonaws.services.dynamodbv2.model.QueryRequest;
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
        System.out.println("sdk-version " + com.amazonaws.util.VersionInfoUtils.getVersion());
        String endpoint = args[1];
        switch (args[0]) {
            case "services" -> services(endpoint);
            case "errors" -> errors(endpoint);
            case "dynamodb-local" -> Spans.run("dynamodb-local-v1", () -> dynamoCalls(endpoint));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("job done");
    }

    static void services(String endpoint) {
        Spans.run("load-data-v1", () -> {
            AmazonS3 s3 = s3(endpoint, 2);
            s3.createBucket(NAME);
            s3.putObject(NAME, "input/part-0001.csv", "a,b,c\n1,2,3\n");
            outcome("s3-get", s3.getObjectAsString(NAME, "input/part-0001.csv").length() + " chars");
            try {
                s3.getObjectMetadata(NAME, "input/missing.csv");
                outcome("s3-head-missing", "found?!");
            } catch (AmazonServiceException e) {
                outcome("s3-head-missing", e.getClass().getSimpleName() + " " + e.getStatusCode());
            }
            outcome("s3-presign", s3.generatePresignedUrl(NAME, "input/part-0001.csv",
                    new java.util.Date(System.currentTimeMillis() + 300_000)).getPath());

            dynamoCalls(endpoint);

            AmazonSQS sqs = AmazonSQSClientBuilder.standard()
                    .withEndpointConfiguration(new EndpointConfiguration(endpoint, "us-east-1"))
                    .withCredentials(credentials()).build();
            String queueUrl = sqs.createQueue(NAME).getQueueUrl();
            sqs.sendMessage(queueUrl, "secret payload");
            outcome("sqs-receive", sqs.receiveMessage(queueUrl).getMessages().size() + " message(s)");
        });
    }

    static void dynamoCalls(String endpoint) {
        AmazonDynamoDB dynamo = AmazonDynamoDBClientBuilder.standard()
                .withEndpointConfiguration(new EndpointConfiguration(endpoint, "us-east-1"))
                .withCredentials(credentials()).build();
        dynamo.createTable(new CreateTableRequest().withTableName(NAME)
                .withKeySchema(new KeySchemaElement("id", KeyType.HASH))
                .withAttributeDefinitions(new AttributeDefinition("id", ScalarAttributeType.S))
                .withProvisionedThroughput(new ProvisionedThroughput(5L, 5L)));
        dynamo.putItem(NAME, Map.of("id", new AttributeValue("row-1")));
        outcome("dynamo-get", dynamo.getItem(new GetItemRequest().withTableName(NAME)
                .withConsistentRead(true).withKey(Map.of("id", new AttributeValue("row-1")))).getItem()
                .get("id").getS());
        outcome("dynamo-query", dynamo.query(new QueryRequest().withTableName(NAME)
                .withKeyConditionExpression("id = :id")
                .withExpressionAttributeValues(Map.of(":id", new AttributeValue("row-1")))).getCount() + " item(s)");
    }

    static void errors(String endpoint) {
        Spans.run("error-paths-v1", () -> {
            AmazonS3 s3 = s3(endpoint, 2);
            for (String key : new String[] {"missing", "throttled", "broken"}) {
                try {
                    s3.getObjectAsString("errors", key);
                    outcome("error-" + key, "no exception?!");
                } catch (AmazonServiceException e) {
                    outcome("error-" + key, e.getClass().getName() + " " + e.getStatusCode());
                }
            }
        });
        Spans.run("refused-v1", () -> {
            try {
                s3(System.getProperty("refused.endpoint"), 1).getObjectAsString("errors", "unreachable");
                outcome("error-refused", "no exception?!");
            } catch (AmazonClientException e) {
                outcome("error-refused", e.getClass().getName());
            }
        });
    }

    /** As {@link SdkV2Job} prints them; its own copy, so that a class path without SDK v2 can run this job. */
    static void outcome(String name, String what) {
        System.out.println("outcome " + name + " " + what);
    }

    static AWSStaticCredentialsProvider credentials() {
        return new AWSStaticCredentialsProvider(new BasicAWSCredentials("testing", "testing"));
    }

    static AmazonS3 s3(String endpoint, int retries) {
        return AmazonS3ClientBuilder.standard()
                .withEndpointConfiguration(new EndpointConfiguration(endpoint, "us-east-1"))
                .withPathStyleAccessEnabled(true).withCredentials(credentials())
                .withClientConfiguration(new ClientConfiguration()
                        // Retries at once: the tests count attempts; the SDK's back-off only adds seconds.
                        .withRetryPolicy(new RetryPolicy(PredefinedRetryPolicies.DEFAULT_RETRY_CONDITION,
                                RetryPolicy.BackoffStrategy.NO_DELAY, retries, true)))
                .build();
    }
}
