package dev.xraybatch.agent.instrument.awssdk;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Constructor;

import static dev.xraybatch.agent.instrument.awssdk.AwsSdkNames.*;

/** The parts of one loaded SDK v1 (one aws-java-sdk-core class loader) the request handler uses, looked up once. */
final class V1Api {
    final Class<?> requestHandlerType;
    /** Where a call's state lives between hooks, in the request's handler context. */
    final Object callKey;
    /** Set by the SDK once the request is signed; absent in old versions. */
    final Object signingRegionKey;

    final MethodHandle serviceName;
    final MethodHandle originalRequest;
    final MethodHandle requestHeaders;
    final MethodHandle addHeader;
    final MethodHandle addHandlerContext;
    final MethodHandle getHandlerContext;
    final MethodHandle attemptRequest;
    final MethodHandle httpResponse;
    final MethodHandle awsResponse;
    final MethodHandle statusCode;
    final MethodHandle responseHeaders;
    final Class<?> webServiceResponse;
    final MethodHandle responseMetadata;
    final MethodHandle metadataRequestId;
    final Class<?> serviceException;
    final MethodHandle exceptionStatusCode;
    final MethodHandle exceptionRequestId;
    final MethodHandle exceptionErrorCode;

    private V1Api(ClassLoader sdk) throws Exception {
        requestHandlerType = Class.forName(V1_REQUEST_HANDLER, false, sdk);
        Class<?> contextKey = Class.forName(V1_HANDLER_CONTEXT_KEY, false, sdk);
        Constructor<?> newKey = contextKey.getConstructor(String.class);
        callKey = newKey.newInstance("dev.xraybatch.agent.AwsCall");
        signingRegionKey = Handles.staticField(contextKey, "SIGNING_REGION");

        Class<?> request = Class.forName(V1_REQUEST, false, sdk);
        serviceName = Handles.method(request, "getServiceName");
        originalRequest = Handles.method(request, "getOriginalRequest");
        requestHeaders = Handles.method(request, "getHeaders");
        addHeader = Handles.method(request, "addHeader", String.class, String.class);
        addHandlerContext = Handles.method(request, "addHandlerContext", contextKey, Object.class);
        getHandlerContext = Handles.method(request, "getHandlerContext", contextKey);
        attemptRequest = Handles.method(Handles.load(sdk, V1 + ".handlers.HandlerBeforeAttemptContext"),
                "getRequest");

        Class<?> response = Class.forName(V1_RESPONSE, false, sdk);
        httpResponse = Handles.method(response, "getHttpResponse");
        awsResponse = Handles.method(response, "getAwsResponse");
        Class<?> http = Class.forName(V1_HTTP_RESPONSE, false, sdk);
        statusCode = Handles.method(http, "getStatusCode");
        responseHeaders = Handles.method(http, "getHeaders");
        webServiceResponse = Class.forName(V1_WEB_SERVICE_RESPONSE, false, sdk);
        responseMetadata = Handles.method(webServiceResponse, "getResponseMetadata");
        metadataRequestId = Handles.method(Class.forName(V1_RESPONSE_METADATA, false, sdk), "getRequestId");

        serviceException = Class.forName(V1_SERVICE_EXCEPTION, false, sdk);
        exceptionStatusCode = Handles.method(serviceException, "getStatusCode");
        exceptionRequestId = Handles.method(serviceException, "getRequestId");
        exceptionErrorCode = Handles.method(serviceException, "getErrorCode");
        if (serviceName == null || originalRequest == null || addHandlerContext == null
                || getHandlerContext == null) {
            throw new IllegalStateException("this SDK v1 lacks the request handler API the agent uses");
        }
    }

    static V1Api of(ClassLoader sdk) throws Exception {
        return new V1Api(sdk);
    }
}
