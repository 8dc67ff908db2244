package dev.xraybatch.agenttests.outbound;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.concurrent.FutureCallback;

/**
 * Several requests in flight at once from one method ({@link #fetchAll}, a pointcut in the IT): {@link #REQUESTS}
 * to the server's slow path, each answered {@link #DELAY_MILLIS} after it arrived, one to a closed port, and one
 * the job cancels at once; all sent before any is awaited. Each URL carries a query and (but for Apache's) user
 * info that must reach no document. Prints {@code reply <i> <status>}, {@code reply refused <exception>} and
 * {@code reply cancelled <exception>}. Arguments: the server's base URL, {@code jdk|apache5}.
 */
public final class ConcurrentRepliesJob {
    static final int REQUESTS = 4;
    static final int DELAY_MILLIS = 300;
    static final String SECRET_PASSWORD = "UserInfoS3cret";
    /** The last request: cancelled by the job right after sending it, long before the server would answer. */
    static final String CANCELLED_PATH = "/slow/20000/cancelled";

    private ConcurrentRepliesJob() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        // Apache HttpClient 5 refuses URIs with user info (a ProtocolException): its requests carry none.
        String userInfo = args[1].equals("apache5") ? "" : "reader:" + SECRET_PASSWORD + "@";
        List<URI> targets = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            targets.add(URI.create(base.getScheme() + "://" + userInfo + base.getHost() + ":"
                    + base.getPort() + "/slow/" + DELAY_MILLIS + "/" + i + "?" + HttpScenario.SECRET_QUERY));
        }
        targets.add(URI.create(base.getScheme() + "://" + base.getHost() + ":" + HttpScenario.closedPort()
                + "/nothing"));
        targets.add(base.resolve(CANCELLED_PATH));
        List<String> replies = fetchAll(targets, args[1]);
        for (int i = 0; i < replies.size(); i++) {
            String label = i < REQUESTS ? String.valueOf(i) : i == REQUESTS ? "refused" : "cancelled";
            System.out.println("reply " + label + " " + replies.get(i));
        }
    }

    /** Sends every request, then waits for all: the status, or the exception's class name. */
    static List<String> fetchAll(List<URI> targets, String client) throws Exception {
        return client.equals("apache5") ? apache5(targets) : jdk(targets);
    }

    private static List<String> jdk(List<URI> targets) {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<String>> replies = new ArrayList<>();
        CompletableFuture<HttpResponse<String>> last = null;
        for (URI target : targets) {
            last = http.sendAsync(HttpRequest.newBuilder(target).build(), HttpResponse.BodyHandlers.ofString());
            replies.add(last.thenApply(response -> String.valueOf(response.statusCode()))
                    .exceptionally(failure -> unwrap(failure).getClass().getName()));
        }
        last.cancel(true);
        CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])).join();
        List<String> answers = new ArrayList<>();
        replies.forEach(reply -> answers.add(reply.join()));
        return answers;
    }

    /** Half awaited through their futures, half through callbacks. */
    private static List<String> apache5(List<URI> targets) throws Exception {
        try (CloseableHttpAsyncClient http = HttpAsyncClients.createDefault()) {
            http.start();
            List<Future<SimpleHttpResponse>> futures = new ArrayList<>();
            String[] called = new String[targets.size()];
            CountDownLatch callbacks = new CountDownLatch((targets.size() + 1) / 2);
            for (int i = 0; i < targets.size(); i++) {
                final int index = i;
                FutureCallback<SimpleHttpResponse> callback = i % 2 == 1 ? null : new FutureCallback<>() {
                    @Override
                    public void completed(SimpleHttpResponse response) {
                        called[index] = String.valueOf(response.getCode());
                        callbacks.countDown();
                    }

                    @Override
                    public void failed(Exception failure) {
                        called[index] = failure.getClass().getName();
                        callbacks.countDown();
                    }

                    @Override
                    public void cancelled() {
                        called[index] = java.util.concurrent.CancellationException.class.getName();
                        callbacks.countDown();
                    }
                };
                futures.add(http.execute(SimpleRequestBuilder.get(targets.get(i)).build(), callback));
            }
            futures.get(futures.size() - 1).cancel(true);
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    String status = String.valueOf(futures.get(i).get().getCode());
                    answers.add(status);
                } catch (ExecutionException failed) {
                    answers.add(failed.getCause().getClass().getName());
                } catch (java.util.concurrent.CancellationException cancelled) {
                    answers.add(cancelled.getClass().getName());
                }
            }
            if (!callbacks.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("callbacks not called");
            }
            for (int i = 0; i < called.length; i++) {
                if (called[i] != null && !called[i].equals(answers.get(i))) {
                    throw new IllegalStateException("callback " + called[i] + " but future " + answers.get(i));
                }
            }
            return answers;
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
