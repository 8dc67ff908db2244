package dev.xraybatch.agent.export.xray;

import java.io.File;
import java.util.Map;
import java.util.Properties;

/**
 * The AWS SDK's default credentials chain, in its order, with the sources a batch container uses done here so
 * that the SDK is not loaded for them: Java system properties ({@code aws.accessKeyId}, {@code aws.secretAccessKey},
 * {@code aws.sessionToken}), environment variables ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_SESSION_TOKEN}), and the container credentials endpoint (ECS, AWS Batch, EKS Pod Identity).
 *
 * <p>Web identity and profile files come before the container endpoint in the SDK's chain. When either may apply
 * (their variables are set or a profile file exists), and when nothing here applies at all (instance metadata on
 * EMR and Glue, SSO, credential processes), the whole decision goes to the SDK's own chain, so that every setup that
 * works with the SDK works here. Like the SDK, the chain settles on the first source that answers and keeps it.
 *
 * <p>Environment and properties are passed in, so that tests need no real environment variables.
 */
final class CredentialChain {
    private final Map<String, String> env;
    private final Properties systemProperties;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;

    private CredentialSource source;

    CredentialChain(Map<String, String> env, Properties systemProperties, int connectTimeoutMillis,
            int readTimeoutMillis) {
        this.env = env;
        this.systemProperties = systemProperties;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /** Current credentials from the source this chain settled on (found at the first call). */
    AwsCredentials credentials() throws CredentialsException {
        if (source == null) {
            source = chooseSource();
        }
        return source.credentials();
    }

    /** Where credentials come from, once {@link #credentials()} succeeded; null before. Safe to log. */
    String sourceName() {
        return source == null ? null : source.name();
    }

    void close() {
        if (source != null) {
            source.close();
        }
    }

    private CredentialSource chooseSource() throws CredentialsException {
        CredentialSource fixed = fixed("Java system properties",
                systemProperties.getProperty("aws.accessKeyId"),
                systemProperties.getProperty("aws.secretAccessKey"),
                systemProperties.getProperty("aws.sessionToken"));
        if (fixed == null) {
            fixed = fixed("environment variables", env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"),
                    env.get("AWS_SESSION_TOKEN"));
        }
        if (fixed != null) {
            return fixed;
        }
        if (!webIdentityOrProfileMayApply() && ContainerCredentials.configured(env)) {
            return ContainerCredentials.fromEnvironment(env, connectTimeoutMillis, readTimeoutMillis);
        }
        try {
            return SdkChains.credentials();
        } catch (RuntimeException | LinkageError e) {
            throw new CredentialsException("the AWS SDK's credentials chain could not start (" + e + ")", e);
        }
    }

    /** Credentials that never change, or null when the key id or the secret is missing (the SDK skips those too). */
    private static CredentialSource fixed(final String name, String keyId, String secret, String token) {
        if (!isSet(keyId) || !isSet(secret)) {
            return null;
        }
        final AwsCredentials credentials = new AwsCredentials(keyId.trim(), secret.trim(),
                isSet(token) ? token.trim() : null, AwsCredentials.NEVER, name);
        return new CredentialSource() {
            @Override
            public AwsCredentials credentials() {
                return credentials;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * True when the SDK's web identity or profile providers, which come before the container endpoint in its chain,
     * could answer: their settings are present or a shared credentials or config file exists.
     */
    private boolean webIdentityOrProfileMayApply() {
        if (isSet(setting("aws.webIdentityTokenFile", "AWS_WEB_IDENTITY_TOKEN_FILE"))
                || isSet(setting("aws.profile", "AWS_PROFILE"))) {
            return true;
        }
        String home = isSet(env.get("HOME")) ? env.get("HOME") : systemProperties.getProperty("user.home");
        return exists(setting("aws.sharedCredentialsFile", "AWS_SHARED_CREDENTIALS_FILE"), home, "credentials")
                || exists(setting("aws.configFile", "AWS_CONFIG_FILE"), home, "config");
    }

    /** The system property, else the environment variable, as the SDK reads its settings. */
    private String setting(String property, String variable) {
        String value = systemProperties.getProperty(property);
        return isSet(value) ? value : env.get(variable);
    }

    private static boolean exists(String configured, String home, String defaultName) {
        try {
            if (isSet(configured)) {
                String path = configured.trim();
                if (path.startsWith("~") && home != null) {
                    path = home + path.substring(1);
                }
                return new File(path).isFile();
            }
            return home != null && new File(new File(home, ".aws"), defaultName).isFile();
        } catch (RuntimeException e) {
            return true; // cannot tell: let the SDK decide
        }
    }

    private static boolean isSet(String value) {
        return value != null && !value.trim().isEmpty();
    }
}
