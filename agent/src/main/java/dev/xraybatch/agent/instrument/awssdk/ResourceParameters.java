package dev.xraybatch.agent.instrument.awssdk;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The request and response fields recorded under {@code aws}, per service: names of resources and small
 * switches, as the X-Ray SDK's allow-list has them (aws-sdk-notes.md), plus names for the batch services it never
 * covered. Never payloads, query strings, items or message bodies.
 */
final class ResourceParameters {
    /** One recorded field: its X-Ray name, its SDK v2 model name, and its SDK v1 bean property. */
    static final class Parameter {
        final String xrayName;
        final String v2Field;
        final String v1Property;
        /** A map whose keys are recorded (e.g. DynamoDB's {@code RequestItems} gives {@code table_names}). */
        final boolean keysOnly;

        Parameter(String xrayName, String v2Field, String v1Property, boolean keysOnly) {
            this.xrayName = xrayName;
            this.v2Field = v2Field;
            this.v1Property = v1Property;
            this.keysOnly = keysOnly;
        }
    }

    private static final Map<String, List<Parameter>> REQUEST = new HashMap<>();
    private static final Map<String, List<Parameter>> RESPONSE = new HashMap<>();

    static {
        request("S3", "bucket_name", "Bucket", "BucketName");
        request("S3", "key", "Key", "Key");
        request("S3", "version_id", "VersionId", "VersionId");
        request("S3", "prefix", "Prefix", "Prefix");

        request("DynamoDb", "table_name", "TableName", "TableName");
        request("DynamoDb", "index_name", "IndexName", "IndexName");
        request("DynamoDb", "consistent_read", "ConsistentRead", "ConsistentRead");
        request("DynamoDb", "limit", "Limit", "Limit");
        request("DynamoDb", "select", "Select", "Select");
        request("DynamoDb", "projection_expression", "ProjectionExpression", "ProjectionExpression");
        REQUEST.get("DynamoDb").add(new Parameter("table_names", "RequestItems", "RequestItems", true));
        response("DynamoDb", "count", "Count", "Count");
        response("DynamoDb", "scanned_count", "ScannedCount", "ScannedCount");

        request("Sqs", "queue_url", "QueueUrl", "QueueUrl");
        request("Sqs", "queue_name", "QueueName", "QueueName");
        response("Sqs", "message_id", "MessageId", "MessageId");

        request("Sns", "topic_arn", "TopicArn", "TopicArn");

        request("Lambda", "function_name", "FunctionName", "FunctionName");
        request("Lambda", "invocation_type", "InvocationType", "InvocationType");
        request("Lambda", "log_type", "LogType", "LogType");
        request("Lambda", "qualifier", "Qualifier", "Qualifier");
        response("Lambda", "function_error", "FunctionError", "FunctionError");
        response("Lambda", "status_code", "StatusCode", "StatusCode");

        request("Kinesis", "stream_name", "StreamName", "StreamName");
        request("Kinesis", "stream_arn", "StreamARN", "StreamARN");
        request("Firehose", "delivery_stream_name", "DeliveryStreamName", "DeliveryStreamName");

        request("Glue", "job_name", "JobName", "JobName");
        request("Glue", "job_run_id", "RunId", "RunId");
        request("Glue", "database_name", "DatabaseName", "DatabaseName");
        request("Glue", "table_name", "TableName", "TableName");
        request("Glue", "crawler_name", "CrawlerName", "CrawlerName");
        response("Glue", "job_run_id", "JobRunId", "JobRunId");

        request("Athena", "query_execution_id", "QueryExecutionId", "QueryExecutionId");
        request("Athena", "work_group", "WorkGroup", "WorkGroup");
        response("Athena", "query_execution_id", "QueryExecutionId", "QueryExecutionId");

        request("Batch", "job_name", "jobName", "JobName");
        request("Batch", "job_queue", "jobQueue", "JobQueue");
        request("Batch", "job_definition", "jobDefinition", "JobDefinition");
        response("Batch", "job_id", "jobId", "JobId");

        request("Sfn", "state_machine_arn", "stateMachineArn", "StateMachineArn");
        request("Sfn", "execution_arn", "executionArn", "ExecutionArn");
        response("Sfn", "execution_arn", "executionArn", "ExecutionArn");

        request("Emr", "cluster_id", "ClusterId", "ClusterId");
        request("Emr", "job_flow_id", "JobFlowId", "JobFlowId");
    }

    private ResourceParameters() {
    }

    private static void request(String service, String xrayName, String v2Field, String v1Property) {
        add(REQUEST, service, new Parameter(xrayName, v2Field, v1Property, false));
    }

    private static void response(String service, String xrayName, String v2Field, String v1Property) {
        add(RESPONSE, service, new Parameter(xrayName, v2Field, v1Property, false));
    }

    private static void add(Map<String, List<Parameter>> table, String service, Parameter p) {
        List<Parameter> list = table.get(service);
        if (list == null) {
            list = new ArrayList<>();
            table.put(service, list);
        }
        list.add(p);
    }

    static List<Parameter> request(String service) {
        List<Parameter> list = REQUEST.get(service);
        return list == null ? Collections.<Parameter>emptyList() : list;
    }

    static List<Parameter> response(String service) {
        List<Parameter> list = RESPONSE.get(service);
        return list == null ? Collections.<Parameter>emptyList() : list;
    }

    /** A value as X-Ray can show it: strings, numbers, booleans; map keys when asked; anything else is left out. */
    static Object recordable(Parameter p, Object value) {
        if (value == null) {
            return null;
        }
        if (p.keysOnly) {
            return value instanceof Map ? new ArrayList<Object>(((Map<?, ?>) value).keySet()) : null;
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        // SDK v1 models some switches as enums; SDK v2 hands them over as their string values already.
        return value instanceof Enum ? value.toString() : null;
    }
}
