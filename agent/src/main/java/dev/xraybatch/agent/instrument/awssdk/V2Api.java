package dev.xraybatch.agent.instrument.awssdk;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Constructor;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.xraybatch.agent.instrument.awssdk.AwsSdkNames.*;

/**
 * The parts of one loaded SDK v2 (one sdk-core class loader) the interceptor uses, looked up once. Optional parts
 * (region, presigning, extended request id) are null where the SDK's version or class path lacks them.
 */
final class V2Api {
    private static final AtomicInteger GENERATION = new AtomicInteger();

    final Class<?> interceptorType;
    /** Where a call's state lives between hooks; one per sdk-core, as the SDK rejects a second of the same name. */
    final Object callAttribute;
    final Object serviceNameAttribute;
    final Object operationNameAttribute;
    final Object regionAttribute;
    final Object presignerExpirationAttribute;

    final MethodHandle getAttribute;
    final MethodHandle putAttribute;
    final MethodHandle request;
    final MethodHandle requestField;
    final MethodHandle responseField;
    final MethodHandle modifiableHttpRequest;
    final MethodHandle httpRequestToBuilder;
    final MethodHandle builderPutHeader;
    final MethodHandle builderBuild;
    final MethodHandle firstMatchingHeader;
    final MethodHandle afterResponse;
    final MethodHandle afterHttpResponse;
    final MethodHandle failedException;
    final MethodHandle failedHttpResponse;
    final MethodHandle failedResponse;
    final MethodHandle statusCode;
    final Class<?> serviceException;
    final MethodHandle exceptionStatusCode;
    final MethodHandle exceptionThrottling;
    final MethodHandle exceptionRequestId;
    final MethodHandle exceptionExtendedRequestId;
    final Class<?> awsResponse;
    final MethodHandle responseMetadata;
    final MethodHandle metadataRequestId;

    private V2Api(ClassLoader sdk) throws Exception {
        interceptorType = Class.forName(V2_INTERCEPTOR, false, sdk);
        Class<?> attributeType = Class.forName(V2_EXECUTION_ATTRIBUTE, false, sdk);
        Class<?> attributes = Class.forName(V2_EXECUTION_ATTRIBUTES, false, sdk);
        Class<?> sdkAttributes = Class.forName(V2_SDK_EXECUTION_ATTRIBUTE, false, sdk);
        Constructor<?> newAttribute = attributeType.getConstructor(String.class);
        // Unique per instance: a new SDK version may reject a name seen before, and this API object is made again
        // for the same sdk-core once the clients that held the previous one are gone.
        callAttribute = newAttribute.newInstance("dev.xraybatch.agent.AwsCall#" + GENERATION.incrementAndGet());
        serviceNameAttribute = Handles.staticField(sdkAttributes, "SERVICE_NAME");
        operationNameAttribute = Handles.staticField(sdkAttributes, "OPERATION_NAME");
        regionAttribute = Handles.staticField(Handles.load(sdk, V2_AWS_EXECUTION_ATTRIBUTE), "AWS_REGION");
        presignerExpirationAttribute = Handles.staticField(Handles.load(sdk, V2_SIGNER_EXECUTION_ATTRIBUTE),
                "PRESIGNER_EXPIRATION");
        getAttribute = Handles.method(attributes, "getAttribute", attributeType);
        putAttribute = Handles.method(attributes, "putAttribute", attributeType, Object.class);

        Class<?> beforeExecution = Class.forName(V2_CONTEXT + "$BeforeExecution", false, sdk);
        Class<?> modifyHttpRequest = Class.forName(V2_CONTEXT + "$ModifyHttpRequest", false, sdk);
        Class<?> afterExecution = Class.forName(V2_CONTEXT + "$AfterExecution", false, sdk);
        Class<?> failedExecution = Class.forName(V2_CONTEXT + "$FailedExecution", false, sdk);
        request = Handles.method(beforeExecution, "request");
        requestField = Handles.method(Class.forName(V2_SDK_REQUEST, false, sdk), "getValueForField",
                String.class, Class.class);
        responseField = Handles.method(Class.forName(V2_SDK_RESPONSE, false, sdk), "getValueForField",
                String.class, Class.class);
        modifiableHttpRequest = Handles.method(modifyHttpRequest, "httpRequest");
        Class<?> httpRequest = Class.forName(V2_HTTP_REQUEST, false, sdk);
        httpRequestToBuilder = Handles.method(httpRequest, "toBuilder");
        Class<?> httpRequestBuilder = Class.forName(V2_HTTP_REQUEST + "$Builder", false, sdk);
        builderPutHeader = Handles.method(httpRequestBuilder, "putHeader", String.class, String.class);
        builderBuild = Handles.method(httpRequestBuilder, "build");
        firstMatchingHeader = Handles.method(Class.forName(V2_HTTP_HEADERS, false, sdk), "firstMatchingHeader",
                String.class);
        afterResponse = Handles.method(afterExecution, "response");
        afterHttpResponse = Handles.method(afterExecution, "httpResponse");
        failedException = Handles.method(failedExecution, "exception");
        failedHttpResponse = Handles.method(failedExecution, "httpResponse");
        failedResponse = Handles.method(failedExecution, "response");
        statusCode = Handles.method(Class.forName(V2_HTTP_RESPONSE, false, sdk), "statusCode");

        serviceException = Class.forName(V2_SERVICE_EXCEPTION, false, sdk);
        exceptionStatusCode = Handles.method(serviceException, "statusCode");
        exceptionThrottling = Handles.method(serviceException, "isThrottlingException");
        exceptionRequestId = Handles.method(serviceException, "requestId");
        exceptionExtendedRequestId = Handles.method(serviceException, "extendedRequestId");
        awsResponse = Handles.load(sdk, V2_AWS_RESPONSE);
        responseMetadata = Handles.method(awsResponse, "responseMetadata");
        metadataRequestId = Handles.method(Handles.load(sdk, V2_AWS_RESPONSE_METADATA), "requestId");
        if (request == null || getAttribute == null || putAttribute == null || serviceNameAttribute == null
                || operationNameAttribute == null) {
            throw new IllegalStateException("this SDK v2 lacks the interceptor API the agent uses");
        }
    }

    static V2Api of(ClassLoader sdk) throws Exception {
        return new V2Api(sdk);
    }
}
