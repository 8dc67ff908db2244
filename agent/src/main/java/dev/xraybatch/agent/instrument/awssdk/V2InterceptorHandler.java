package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Subsegment;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The body of the generated SDK v2 {@code ExecutionInterceptor}: each hook it overrides lands in
 * {@link #invoke}. One per loaded sdk-core. Every hook catches everything: the SDK call goes on regardless.
 */
final class V2InterceptorHandler implements InvocationHandler {
    static final String[] HOOKS = {
            "beforeExecution", "modifyHttpRequest", "beforeTransmission", "afterExecution", "onExecutionFailure"};

    private final V2Api api;
    private final AwsCallRecorder recorder;
    private final S3Transfers transfers;

    V2InterceptorHandler(V2Api api, AwsCallRecorder recorder, S3Transfers transfers) {
        this.api = api;
        this.recorder = recorder;
        this.transfers = transfers;
    }

    @Override
    public Object invoke(Object interceptor, Method method, Object[] args) {
        String hook = method.getName();
        Object context = args[0];
        Object attributes = args[1];
        if ("modifyHttpRequest".equals(hook)) {
            // Must hand back a request whatever happens: the original one unless the header could be added.
            Object original = Handles.call(api.modifiableHttpRequest, context);
            try {
                return withTraceHeader(original, call(attributes));
            } catch (Throwable t) {
                report(hook, t);
                return original;
            }
        }
        try {
            if ("beforeExecution".equals(hook)) {
                beforeExecution(context, attributes);
            } else if ("beforeTransmission".equals(hook)) {
                AwsCall call = call(attributes);
                if (call != null) {
                    call.attempts++;
                }
            } else if ("afterExecution".equals(hook)) {
                afterExecution(context, attributes);
            } else if ("onExecutionFailure".equals(hook)) {
                onExecutionFailure(context, attributes);
            }
        } catch (Throwable t) {
            report(hook, t);
        }
        return null;
    }

    private void beforeExecution(Object context, Object attributes) {
        if (api.presignerExpirationAttribute != null
                && Handles.call(api.getAttribute, attributes, api.presignerExpirationAttribute) != null) {
            return; // presigning: nothing is sent, no hook would ever end the call
        }
        String service = (String) Handles.call(api.getAttribute, attributes, api.serviceNameAttribute);
        String operation = (String) Handles.call(api.getAttribute, attributes, api.operationNameAttribute);
        Object request = Handles.call(api.request, context);
        AwsCall call = recorder.begin(service, operation, transferOf(service, operation, request));
        if (call == null) {
            return;
        }
        Handles.call(api.putAttribute, attributes, api.callAttribute, call);
        if (api.regionAttribute != null) {
            Object region = Handles.call(api.getAttribute, attributes, api.regionAttribute);
            if (region != null) {
                call.subsegment.putAws("region", region.toString());
            }
        }
        for (ResourceParameters.Parameter p : ResourceParameters.request(service)) {
            putField(call, p, Handles.call(api.requestField, request, p.v2Field, Object.class));
        }
    }

    /** The multipart client's S3 transfer this call is part of, or null: see {@link S3Transfers}. */
    private Subsegment transferOf(String service, String operation, Object request) {
        if (transfers == null || !"S3".equals(service) || !transfers.anyOpen()) {
            return null;
        }
        return transfers.transferOf(operation, orNull(Handles.call(api.requestField, request, "Bucket", Object.class)),
                orNull(Handles.call(api.requestField, request, "Key", Object.class)));
    }

    private Object withTraceHeader(Object httpRequest, AwsCall call) {
        if (call != null && httpRequest != null) {
            AwsCallRecorder.requestLength(call, header(httpRequest, "x-amz-decoded-content-length"),
                    header(httpRequest, "Content-Length"));
        }
        if (call == null || httpRequest == null || present(httpRequest, AwsCallRecorder.TRACE_HEADER)) {
            return httpRequest;
        }
        Object builder = Handles.call(api.httpRequestToBuilder, httpRequest);
        builder = Handles.call(api.builderPutHeader, builder, AwsCallRecorder.TRACE_HEADER, call.traceHeader());
        Object modified = Handles.call(api.builderBuild, builder);
        return modified != null ? modified : httpRequest;
    }

    private void afterExecution(Object context, Object attributes) {
        AwsCall call = call(attributes);
        if (call == null) {
            return;
        }
        Object response = Handles.call(api.afterResponse, context);
        recordResponse(call, response, Handles.call(api.afterHttpResponse, context), null);
        AwsCallRecorder.end(call);
    }

    private void onExecutionFailure(Object context, Object attributes) {
        AwsCall call = call(attributes);
        if (call == null) {
            return;
        }
        Throwable error = (Throwable) Handles.call(api.failedException, context);
        Object response = orNull(Handles.call(api.failedResponse, context));
        Object httpResponse = orNull(Handles.call(api.failedHttpResponse, context));
        recordResponse(call, response, httpResponse, error);
        boolean fromService = api.serviceException.isInstance(error);
        int status = fromService ? Handles.intValue(Handles.call(api.exceptionStatusCode, error))
                : Handles.intValue(Handles.call(api.statusCode, httpResponse));
        boolean throttling = fromService && Boolean.TRUE.equals(Handles.call(api.exceptionThrottling, error));
        AwsCallRecorder.response(call, status, -1L, null, null);
        AwsCallRecorder.failure(call, error, status, throttling, fromService);
        AwsCallRecorder.end(call);
    }

    private void recordResponse(AwsCall call, Object response, Object httpResponse, Throwable error) {
        int status = Handles.intValue(Handles.call(api.statusCode, httpResponse));
        long length = -1L;
        String contentLength = header(httpResponse, "Content-Length");
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
            id2 = (String) Handles.call(api.exceptionExtendedRequestId, error);
        }
        if (requestId == null && response != null && api.awsResponse != null && api.awsResponse.isInstance(response)) {
            requestId = (String) Handles.call(api.metadataRequestId, Handles.call(api.responseMetadata, response));
        }
        if (requestId == null || "UNKNOWN".equals(requestId)) {
            requestId = header(httpResponse, "x-amz-request-id");
            if (requestId == null) {
                requestId = header(httpResponse, "x-amzn-RequestId");
            }
        }
        if (id2 == null) {
            id2 = header(httpResponse, "x-amz-id-2");
        }
        AwsCallRecorder.response(call, status, length, requestId, id2);
        if (response != null) {
            for (ResourceParameters.Parameter p : ResourceParameters.response(call.service)) {
                putField(call, p, Handles.call(api.responseField, response, p.v2Field, Object.class));
            }
        }
    }

    private static void putField(AwsCall call, ResourceParameters.Parameter p, Object optionalValue) {
        Object value = ResourceParameters.recordable(p, orNull(optionalValue));
        if (value != null) {
            call.subsegment.putAws(p.xrayName, value);
        }
    }

    private AwsCall call(Object attributes) {
        Object call = Handles.call(api.getAttribute, attributes, api.callAttribute);
        return call instanceof AwsCall ? (AwsCall) call : null;
    }

    private boolean present(Object httpMessage, String name) {
        return header(httpMessage, name) != null;
    }

    private String header(Object httpMessage, String name) {
        Object value = orNull(Handles.call(api.firstMatchingHeader, httpMessage, name));
        return value instanceof String ? (String) value : null;
    }

    private static Object orNull(Object maybeOptional) {
        if (maybeOptional instanceof Optional) {
            return ((Optional<?>) maybeOptional).orElse(null);
        }
        return maybeOptional;
    }

    private static void report(String hook, Throwable t) {
        AgentLog.problemOnce("aws-sdk-v2:" + hook, "AWS SDK v2 " + hook + " not recorded: " + t);
    }
}
