package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.log.AgentLog;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The body of the generated SDK v1 {@code RequestHandler2} subclass: each method it overrides lands in
 * {@link #invoke}. One per loaded aws-java-sdk-core. Every hook catches everything.
 */
final class V1RequestHandler implements InvocationHandler {
    static final String[] HOOKS = {"beforeRequest", "beforeAttempt", "afterResponse", "afterError"};

    /** v1 service names ({@code Request#getServiceName}) as SDK v2 names the same services. */
    private static final Map<String, String> SERVICE_NAMES = new HashMap<>();
    /** Error codes the SDK v1 itself retries as throttling ({@code RetryUtils}). */
    private static final Set<String> THROTTLING_CODES = new HashSet<>(Arrays.asList(
            "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
            "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
            "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
            "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException"));

    static {
        SERVICE_NAMES.put("Amazon S3", "S3");
        SERVICE_NAMES.put("AmazonDynamoDBv2", "DynamoDb");
        SERVICE_NAMES.put("AmazonSQS", "Sqs");
        SERVICE_NAMES.put("AmazonSNS", "Sns");
        SERVICE_NAMES.put("AWSLambda", "Lambda");
        SERVICE_NAMES.put("AmazonKinesis", "Kinesis");
        SERVICE_NAMES.put("AmazonKinesisFirehose", "Firehose");
        SERVICE_NAMES.put("AWSGlue", "Glue");
        SERVICE_NAMES.put("AmazonAthena", "Athena");
        SERVICE_NAMES.put("AWSBatch", "Batch");
        SERVICE_NAMES.put("AWSStepFunctions", "Sfn");
        SERVICE_NAMES.put("AmazonElasticMapReduce", "Emr");
        SERVICE_NAMES.put("AWSXRay", "XRay");
        SERVICE_NAMES.put("AWSSecurityTokenService", "Sts");
        SERVICE_NAMES.put("AWSKMS", "Kms");
    }

    private final V1Api api;
    private final AwsCallRecorder recorder;

    V1RequestHandler(V1Api api, AwsCallRecorder recorder) {
        this.api = api;
        this.recorder = recorder;
    }

    @Override
    public Object invoke(Object handler, Method method, Object[] args) {
        String hook = method.getName();
        try {
            if ("beforeRequest".equals(hook)) {
                beforeRequest(args[0]);
            } else if ("beforeAttempt".equals(hook)) {
                AwsCall call = call(Handles.call(api.attemptRequest, args[0]));
                if (call != null) {
                    call.attempts++;
                }
            } else if ("afterResponse".equals(hook)) {
                afterResponse(args[0], args[1]);
            } else if ("afterError".equals(hook)) {
                afterError(args[0], args[1], (Throwable) args[2]);
            }
        } catch (Throwable t) {
            AgentLog.problemOnce("aws-sdk-v1:" + hook, "AWS SDK v1 " + hook + " not recorded: " + t);
        }
        return null;
    }

    static String serviceName(String v1Name) {
        if (v1Name == null) {
            return null;
        }
        String known = SERVICE_NAMES.get(v1Name);
        if (known != null) {
            return known;
        }
        String name = v1Name.startsWith("Amazon") ? v1Name.substring(6) : v1Name.startsWith("AWS")
                ? v1Name.substring(3) : v1Name;
        name = name.trim();
        return name.isEmpty() ? v1Name : name;
    }

    static String operationName(Object originalRequest) {
        String simple = originalRequest.getClass().getSimpleName();
        return simple.endsWith("Request") && simple.length() > 7 ? simple.substring(0, simple.length() - 7) : simple;
    }

    private void beforeRequest(Object request) {
        Object original = Handles.call(api.originalRequest, request);
        if (original == null || "GeneratePresignedUrlRequest".equals(original.getClass().getSimpleName())) {
            return; // presigning: nothing is sent, no hook would ever end the call
        }
        String service = serviceName((String) Handles.call(api.serviceName, request));
        AwsCall call = recorder.begin(service, operationName(original));
        if (call == null) {
            return;
        }
        Handles.call(api.addHandlerContext, request, api.callKey, call);
        Object headers = Handles.call(api.requestHeaders, request);
        if (headers instanceof Map) {
            AwsCallRecorder.requestLength(call, header((Map<?, ?>) headers, "x-amz-decoded-content-length"),
                    header((Map<?, ?>) headers, "Content-Length"));
        }
        if (!(headers instanceof Map) || header((Map<?, ?>) headers, AwsCallRecorder.TRACE_HEADER) == null) {
            Handles.call(api.addHeader, request, AwsCallRecorder.TRACE_HEADER, call.traceHeader());
        }
        for (ResourceParameters.Parameter p : ResourceParameters.request(service)) {
            Object value = ResourceParameters.recordable(p, Handles.property(original, p.v1Property));
            if (value != null) {
                call.subsegment.putAws(p.xrayName, value);
            }
        }
    }

    private void afterResponse(Object request, Object response) {
        AwsCall call = call(request);
        if (call == null) {
            return;
        }
        recordResponse(call, request, response, null);
        Object result = Handles.call(api.awsResponse, response);
        for (ResourceParameters.Parameter p : ResourceParameters.response(call.service)) {
            Object value = ResourceParameters.recordable(p, Handles.property(result, p.v1Property));
            if (value != null) {
                call.subsegment.putAws(p.xrayName, value);
            }
        }
        AwsCallRecorder.end(call);
    }

    private void afterError(Object request, Object response, Throwable error) {
        AwsCall call = call(request);
        if (call == null) {
            return;
        }
        recordResponse(call, request, response, error);
        boolean fromService = api.serviceException.isInstance(error);
        int status = fromService ? Handles.intValue(Handles.call(api.exceptionStatusCode, error)) : 0;
        if (status == 0) {
            status = Handles.intValue(Handles.call(api.statusCode, Handles.call(api.httpResponse, response)));
        }
        boolean throttling = fromService
                && THROTTLING_CODES.contains((String) Handles.call(api.exceptionErrorCode, error));
        AwsCallRecorder.response(call, status, -1L, null, null);
        AwsCallRecorder.failure(call, error, status, throttling, fromService);
        AwsCallRecorder.end(call);
    }

    private void recordResponse(AwsCall call, Object request, Object response, Throwable error) {
        if (api.signingRegionKey != null) {
            Object region = Handles.call(api.getHandlerContext, request, api.signingRegionKey);
            if (region != null) {
                call.subsegment.putAws("region", region.toString());
            }
        }
        Object http = Handles.call(api.httpResponse, response);
        int status = Handles.intValue(Handles.call(api.statusCode, http));
        Object headerObject = Handles.call(api.responseHeaders, http);
        Map<?, ?> headers = headerObject instanceof Map ? (Map<?, ?>) headerObject : null;
        long length = -1L;
        String contentLength = header(headers, "Content-Length");
        if (contentLength != null) {
            try {
                length = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException ignored) {
                // left out
            }
        }
        String requestId = null;
        String id2 = null;
        if (error != null && api.serviceException.isInstance(error)) {
            requestId = (String) Handles.call(api.exceptionRequestId, error);
            Object extended = Handles.property(error, "ExtendedRequestId");
            id2 = extended instanceof String ? (String) extended : null;
        }
        Object result = Handles.call(api.awsResponse, response);
        if (requestId == null && api.webServiceResponse.isInstance(result)) {
            requestId = (String) Handles.call(api.metadataRequestId, Handles.call(api.responseMetadata, result));
        }
        if (requestId == null) {
            requestId = header(headers, "x-amz-request-id");
            if (requestId == null) {
                requestId = header(headers, "x-amzn-RequestId");
            }
        }
        if (id2 == null) {
            id2 = header(headers, "x-amz-id-2");
        }
        AwsCallRecorder.response(call, status, length, requestId, id2);
    }

    private AwsCall call(Object request) {
        Object call = Handles.call(api.getHandlerContext, request, api.callKey);
        return call instanceof AwsCall ? (AwsCall) call : null;
    }

    /** A header by name, ignoring case (v1 header maps differ between versions). */
    private static String header(Map<?, ?> headers, String name) {
        if (headers == null) {
            return null;
        }
        Object exact = headers.get(name);
        if (exact != null) {
            return exact.toString();
        }
        for (Map.Entry<?, ?> e : headers.entrySet()) {
            if (e.getKey() instanceof String && name.equalsIgnoreCase((String) e.getKey()) && e.getValue() != null) {
                return e.getValue().toString();
            }
        }
        return null;
    }
}
