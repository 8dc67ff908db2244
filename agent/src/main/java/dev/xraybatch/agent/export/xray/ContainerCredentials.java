package dev.xraybatch.agent.export.xray;

import dev.xraybatch.agent.json.JsonReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URL;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Temporary credentials from the container credentials endpoint, as ECS, AWS Batch (on ECS and Fargate) and EKS Pod
 * Identity serve them: {@code AWS_CONTAINER_CREDENTIALS_RELATIVE_URI} on 169.254.170.2, else
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with the token from {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE} or
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, the same rules as the AWS SDK's ContainerCredentialsProvider.
 * Credentials are fetched again when they expire within {@link #REFRESH_BEFORE_MILLIS}, at most every
 * {@link #REFETCH_INTERVAL_MILLIS} while they still hold; while a refresh fails, the old ones are used until shortly
 * before they expire.
 */
final class ContainerCredentials implements CredentialSource {
    static final String RELATIVE_URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    static final String FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    static final String TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    static final String TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

    /** ECS publishes new credentials well before the old expire; the SDK prefetches 5 minutes ahead too. */
    static final long REFRESH_BEFORE_MILLIS = 5 * 60_000L;
    /** Past this point before expiry, old credentials are not used any more. */
    private static final long STALE_BEFORE_MILLIS = 60_000L;
    /** While the credentials in hand still hold, the endpoint is asked at most this often (it may not have rotated). */
    static final long REFETCH_INTERVAL_MILLIS = 30_000L;
    private static final String ECS_HOST = "169.254.170.2";
    private static final String EKS_HOST = "169.254.170.23";
    private static final String EKS_HOST_IPV6 = "[fd00:ec2::23]";
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final Charset UTF_8 = Charset.forName("UTF-8");

    private final URL url;
    private final Map<String, String> env;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final LongSupplier clock;

    private AwsCredentials current;
    private long nextAttemptMillis;

    private ContainerCredentials(URL url, Map<String, String> env, int connectTimeoutMillis, int readTimeoutMillis,
            LongSupplier clock) {
        this.url = url;
        this.env = env;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
        this.clock = clock;
    }

    /** True when the environment names a container credentials endpoint. */
    static boolean configured(Map<String, String> env) {
        return isSet(env.get(RELATIVE_URI)) || isSet(env.get(FULL_URI));
    }

    /**
     * The source the environment names; throws when the address is not one the SDK would send a token to (plain
     * http to anything but the loopback or the ECS / EKS link-local hosts).
     */
    static ContainerCredentials fromEnvironment(Map<String, String> env, int connectTimeoutMillis,
            int readTimeoutMillis) throws CredentialsException {
        return fromEnvironment(env, connectTimeoutMillis, readTimeoutMillis, System::currentTimeMillis);
    }

    /** As above, with the clock that decides when to refresh (epoch milliseconds). */
    static ContainerCredentials fromEnvironment(Map<String, String> env, int connectTimeoutMillis,
            int readTimeoutMillis, LongSupplier clock) throws CredentialsException {
        URL url;
        try {
            if (isSet(env.get(RELATIVE_URI))) {
                String relative = env.get(RELATIVE_URI).trim();
                url = new URL("http://" + ECS_HOST + (relative.startsWith("/") ? "" : "/") + relative);
            } else {
                url = new URL(env.get(FULL_URI).trim());
                checkAllowedHost(url);
            }
        } catch (IOException e) {
            throw new CredentialsException(FULL_URI + " is not a usable URL (" + e.getMessage() + ")");
        }
        return new ContainerCredentials(url, env, connectTimeoutMillis, readTimeoutMillis, clock);
    }

    private static void checkAllowedHost(URL url) throws CredentialsException, IOException {
        String protocol = url.getProtocol();
        if ("https".equalsIgnoreCase(protocol)) {
            return;
        }
        if (!"http".equalsIgnoreCase(protocol)) {
            throw new CredentialsException(FULL_URI + " must be an http or https URL");
        }
        String host = url.getHost();
        if (ECS_HOST.equals(host) || EKS_HOST.equals(host) || EKS_HOST_IPV6.equalsIgnoreCase(host)) {
            return;
        }
        for (InetAddress address : InetAddress.getAllByName(host)) {
            if (!address.isLoopbackAddress()) {
                throw new CredentialsException(FULL_URI + " uses plain http to " + host + ", which is neither the"
                        + " loopback nor the ECS or EKS credentials host: refused, as the AWS SDK refuses it");
            }
        }
    }

    @Override
    public AwsCredentials credentials() throws CredentialsException {
        long now = clock.getAsLong();
        boolean holding = current != null && now < current.expiresAtMillis() - STALE_BEFORE_MILLIS;
        if (holding && (now < current.expiresAtMillis() - REFRESH_BEFORE_MILLIS || now < nextAttemptMillis)) {
            return current;
        }
        try {
            current = fetch();
            nextAttemptMillis = now + REFETCH_INTERVAL_MILLIS;
            return current;
        } catch (CredentialsException e) {
            if (holding) {
                nextAttemptMillis = now + REFETCH_INTERVAL_MILLIS;
                return current;
            }
            throw e;
        }
    }

    private AwsCredentials fetch() throws CredentialsException {
        String token = authorizationToken();
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) url.openConnection();
            connection.setConnectTimeout(connectTimeoutMillis);
            connection.setReadTimeout(readTimeoutMillis);
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false);
            connection.setRequestProperty("Accept", "application/json");
            if (token != null) {
                connection.setRequestProperty("Authorization", token);
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String body = in == null ? "" : readAll(in);
            if (status != 200) {
                throw new CredentialsException("the container credentials endpoint " + where() + " answered HTTP "
                        + status);
            }
            return parse(body);
        } catch (IOException e) {
            throw new CredentialsException("the container credentials endpoint " + where() + " could not be read ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private AwsCredentials parse(String body) throws CredentialsException {
        Object json;
        try {
            json = JsonReader.parse(body);
        } catch (JsonReader.ParseException e) {
            throw new CredentialsException("the container credentials endpoint " + where() + " answered not JSON: "
                    + e.messageWithoutText());
        }
        String keyId = JsonReader.stringMember(json, "AccessKeyId");
        String secret = JsonReader.stringMember(json, "SecretAccessKey");
        if (!isSet(keyId) || !isSet(secret)) {
            throw new CredentialsException("the container credentials endpoint " + where()
                    + " answered without AccessKeyId and SecretAccessKey");
        }
        String expiration = JsonReader.stringMember(json, "Expiration");
        long expiresAt = AwsCredentials.NEVER;
        if (isSet(expiration)) {
            try {
                expiresAt = OffsetDateTime.parse(expiration.trim()).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new CredentialsException("the container credentials endpoint " + where()
                        + " answered an Expiration that is not an ISO-8601 time");
            }
        }
        return new AwsCredentials(keyId, secret, JsonReader.stringMember(json, "Token"), expiresAt, name());
    }

    /** The token file wins over the variable, and is read at every fetch: EKS rotates it. */
    private String authorizationToken() throws CredentialsException {
        String file = env.get(TOKEN_FILE);
        if (isSet(file)) {
            try {
                return new String(Files.readAllBytes(Paths.get(file.trim())), UTF_8).trim();
            } catch (IOException | RuntimeException e) {
                throw new CredentialsException(TOKEN_FILE + " names a file that cannot be read (" + file.trim()
                        + ")");
            }
        }
        String token = env.get(TOKEN);
        return isSet(token) ? token.trim() : null;
    }

    /** Host and port only: the path of the relative URI identifies the task's credentials. */
    private String where() {
        return url.getProtocol() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    @Override
    public String name() {
        return "the container credentials endpoint";
    }

    @Override
    public void close() {
        current = null;
    }

    private static String readAll(InputStream in) throws IOException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > MAX_ANSWER_BYTES) {
                    throw new IOException("answer larger than " + MAX_ANSWER_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return new String(out.toByteArray(), UTF_8);
        } finally {
            in.close();
        }
    }

    private static boolean isSet(String value) {
        return value != null && !value.trim().isEmpty();
    }
}
