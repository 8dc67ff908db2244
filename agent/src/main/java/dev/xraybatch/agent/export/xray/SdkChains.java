package dev.xraybatch.agent.export.xray;

import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The relocated AWS SDK's default chains, for what {@link HttpXRayExporter} does not do itself: profile files, web
 * identity, SSO, credential processes, EC2 instance metadata (EMR, Glue). Loading this class loads the SDK (a few
 * hundred classes), so it is referenced only on those paths.
 */
final class SdkChains {
    private SdkChains() {
    }

    /** The SDK's region chain (system property, environment, profile, instance metadata); throws when it finds none. */
    static String region() {
        return new DefaultAwsRegionProviderChain().getRegion().id();
    }

    /** The SDK's default credentials chain, which caches and refreshes on its own. */
    static CredentialSource credentials() {
        return new SdkCredentials(DefaultCredentialsProvider.builder().build());
    }

    private static final class SdkCredentials implements CredentialSource {
        private final DefaultCredentialsProvider provider;

        SdkCredentials(DefaultCredentialsProvider provider) {
            this.provider = provider;
        }

        @Override
        public AwsCredentials credentials() throws CredentialsException {
            software.amazon.awssdk.auth.credentials.AwsCredentials resolved;
            try {
                resolved = provider.resolveCredentials();
            } catch (RuntimeException e) {
                throw new CredentialsException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
            String token = resolved instanceof AwsSessionCredentials
                    ? ((AwsSessionCredentials) resolved).sessionToken() : null;
            // The provider refreshes by itself: asked again at every send, it answers from its cache.
            return new AwsCredentials(resolved.accessKeyId(), resolved.secretAccessKey(), token,
                    AwsCredentials.NEVER, name());
        }

        @Override
        public String name() {
            return "the AWS SDK's default credentials chain";
        }

        @Override
        public void close() {
            try {
                provider.close();
            } catch (RuntimeException ignored) {
                // Closing at exit: nothing left to do about it.
            }
        }
    }
}
