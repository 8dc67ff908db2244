package dev.xraybatch.agent.instrument.awssdk;

/**
 * Names of the application's SDK classes. The shade plugin rewrites every string constant starting with
 * {@code software.amazon} to the agent's relocated copy, so these are joined at run time (a method call is never a
 * compile-time constant) and stay the application's names.
 */
final class AwsSdkNames {
    static final String V2 = join("software", "amazon", "awssdk");
    static final String V2_CLIENT_BUILDER = V2 + ".core.client.builder.SdkDefaultClientBuilder";
    static final String V2_INTERCEPTOR = V2 + ".core.interceptor.ExecutionInterceptor";
    static final String V2_EXECUTION_ATTRIBUTE = V2 + ".core.interceptor.ExecutionAttribute";
    static final String V2_EXECUTION_ATTRIBUTES = V2 + ".core.interceptor.ExecutionAttributes";
    static final String V2_SDK_EXECUTION_ATTRIBUTE = V2 + ".core.interceptor.SdkExecutionAttribute";
    static final String V2_CONTEXT = V2 + ".core.interceptor.Context";
    static final String V2_SDK_REQUEST = V2 + ".core.SdkRequest";
    static final String V2_SDK_RESPONSE = V2 + ".core.SdkResponse";
    static final String V2_SERVICE_EXCEPTION = V2 + ".core.exception.SdkServiceException";
    static final String V2_HTTP_REQUEST = V2 + ".http.SdkHttpRequest";
    static final String V2_HTTP_HEADERS = V2 + ".http.SdkHttpHeaders";
    static final String V2_HTTP_RESPONSE = V2 + ".http.SdkHttpResponse";
    static final String V2_AWS_EXECUTION_ATTRIBUTE = V2 + ".awscore.AwsExecutionAttribute";
    static final String V2_AWS_RESPONSE = V2 + ".awscore.AwsResponse";
    static final String V2_AWS_RESPONSE_METADATA = V2 + ".awscore.AwsResponseMetadata";
    static final String V2_SIGNER_EXECUTION_ATTRIBUTE = V2 + ".auth.signer.AwsSignerExecutionAttribute";

    static final String V1 = join("com", "amazonaws");
    static final String V1_CLIENT = V1 + ".AmazonWebServiceClient";
    static final String V1_REQUEST_HANDLER = V1 + ".handlers.RequestHandler2";
    static final String V1_HANDLER_CONTEXT_KEY = V1 + ".handlers.HandlerContextKey";
    static final String V1_REQUEST = V1 + ".Request";
    static final String V1_RESPONSE = V1 + ".Response";
    static final String V1_HTTP_RESPONSE = V1 + ".http.HttpResponse";
    static final String V1_WEB_SERVICE_RESPONSE = V1 + ".AmazonWebServiceResponse";
    static final String V1_RESPONSE_METADATA = V1 + ".ResponseMetadata";
    static final String V1_SERVICE_EXCEPTION = V1 + ".AmazonServiceException";

    /** Interceptors of other tracers: a client that carries one is left to it, so no call is recorded twice. */
    static final String[] OTHER_TRACERS = {
            join("com", "amazonaws", "xray") + ".",          // the X-Ray SDK's v1 TracingHandler, v2 TracingInterceptor
            join("io", "opentelemetry") + ".",               // OpenTelemetry's library and agent instrumentation
    };

    private AwsSdkNames() {
    }

    static String join(String... parts) {
        return String.join(".", parts);
    }
}
