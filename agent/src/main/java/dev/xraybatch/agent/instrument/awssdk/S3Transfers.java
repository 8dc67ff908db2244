package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Transfers of the SDK v2's Java-based multipart S3 client ({@code S3AsyncClient.builder().multipartEnabled(true)},
 * which {@code S3TransferManager} uses too): one subsegment per {@code putObject}, {@code getObject} or
 * {@code copyObject} of that client ({@code S3 upload}, {@code S3 download}, {@code S3 copy}), under what was current
 * on the calling thread, with every call of the transfer beneath it.
 *
 * <p>Why a registry: the client issues a transfer's part calls from its callbacks, on Netty's and the SDK's threads
 * (whichever completed the previous call, or read the file), where no context of the caller is current, and those
 * threads may still carry the context they were started in. So the interceptor asks here first: an S3 call of an
 * operation the multipart client issues, for the bucket and key of an open transfer, belongs to that transfer,
 * whatever thread issues it. A transfer is open from the client's method until its future completes; it ends then
 * (or with its caller, if that ends first once the transfer is done: {@link Tracer#endsWhenDone}).
 */
final class S3Transfers {
    static final String MULTIPART_CLIENT = AwsSdkNames.V2 + ".services.s3.internal.multipart.MultipartS3AsyncClient";

    /** What the multipart client sends for a transfer; other operations never join one. */
    private static final Set<String> TRANSFER_OPERATIONS = new HashSet<>(Arrays.asList(
            "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts",
            "PutObject", "GetObject", "HeadObject", "CopyObject", "UploadPartCopy"));

    /** Open transfers by bucket and key; several only when the job moves one key twice at the same time. */
    private final ConcurrentHashMap<String, List<Subsegment>> open = new ConcurrentHashMap<>();

    /** The hook of the multipart client's {@code putObject}, {@code getObject} and {@code copyObject}. */
    final Hook transfer = new Hook() {
        @Override
        public Object enter(HookSite site, Object request, Object[] arguments) {
            return begin(site.methodName, request);
        }

        @Override
        public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
            started((Transfer) token, returned, thrown);
        }

        @Override
        public Object replace(HookSite site, Object value, Object subject) {
            CompletableFuture<?> handedBack = subject instanceof Transfer ? ((Transfer) subject).handedBack : null;
            return handedBack != null ? handedBack : value;
        }

        @Override
        public String toString() {
            return "aws-sdk v2 multipart transfer";
        }
    };

    /** One transfer in flight: its subsegment, its key in {@link #open}, what was current before it. */
    static final class Transfer {
        final Subsegment subsegment;
        final String key;
        final Entity before;
        /** What the client's caller gets instead of the client's future: see {@link #started}. */
        volatile CompletableFuture<?> handedBack;

        Transfer(Subsegment subsegment, String key, Entity before) {
            this.subsegment = subsegment;
            this.key = key;
            this.before = before;
        }
    }

    static String subsegmentName(String method) {
        if ("putObject".equals(method)) {
            return "S3 upload";
        }
        if ("getObject".equals(method)) {
            return "S3 download";
        }
        return "copyObject".equals(method) ? "S3 copy" : null;
    }

    static String key(Object bucket, Object key) {
        return bucket == null || key == null ? null : bucket + "/" + key;
    }

    Transfer begin(String method, Object request) {
        Tracer tracer = Tracer.get();
        String name = subsegmentName(method);
        if (tracer == null || name == null || request == null) {
            return null;
        }
        boolean copy = "copyObject".equals(method);
        Object bucket = property(request, copy ? "destinationBucket" : "bucket");
        Object objectKey = property(request, copy ? "destinationKey" : "key");
        String key = key(bucket, objectKey);
        if (key == null) {
            return null;
        }
        Entity before = tracer.current();
        // Current on the calling thread while the client's method runs: what it issues right away goes beneath.
        Subsegment s = tracer.begin(name);
        s.putAws("bucket_name", String.valueOf(bucket));
        s.putAws("key", String.valueOf(objectKey));
        open.compute(key, (k, list) -> {
            List<Subsegment> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(s);
            return l;
        });
        return new Transfer(s, key, before);
    }

    void started(Transfer t, Object returned, Throwable thrown) {
        Tracer tracer = Tracer.get();
        if (t == null || tracer == null) {
            return;
        }
        // The transfer goes on without the calling thread, which goes back to what it did before.
        tracer.detach(t.before);
        if (thrown != null || !(returned instanceof CompletableFuture)) {
            ended(t, thrown);
            return;
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<Object> future = (CompletableFuture<Object>) returned;
        tracer.endsWhenDone(t.subsegment, future::isDone);
        t.handedBack = handBack(future, error -> ended(t, error));
    }

    /**
     * The future the client's caller gets instead of {@code future}: it completes as {@code future} did (the same
     * value, the same exception object, so that handlers see what the client gave), but only once {@code ended} has
     * run. Whatever the caller chains on it (the transfer manager's own future, the job's join) runs after the
     * transfer's subsegment ended, so a caller that waited never shows the transfer outliving it, however the
     * threads are scheduled. Cancelling it cancels the client's future, as before.
     */
    static CompletableFuture<Object> handBack(CompletableFuture<Object> future,
                                              java.util.function.Consumer<Throwable> ended) {
        CompletableFuture<Object> handedBack = new CompletableFuture<>();
        future.whenComplete((result, error) -> {
            try {
                ended.accept(error);
            } finally {
                if (error != null) {
                    handedBack.completeExceptionally(error);
                } else {
                    handedBack.complete(result);
                }
            }
        });
        handedBack.whenComplete((result, error) -> {
            if (handedBack.isCancelled()) {
                future.cancel(true);
            }
        });
        return handedBack;
    }

    private void ended(Transfer t, Throwable error) {
        try {
            open.computeIfPresent(t.key, (k, list) -> {
                list.remove(t.subsegment);
                return list.isEmpty() ? null : list;
            });
            Tracer tracer = Tracer.get();
            if (tracer != null) {
                tracer.endOnce(t.subsegment, error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
        } catch (Throwable e) {
            AgentLog.problemOnce("aws-sdk-v2:transfer-end", "an S3 transfer's end not recorded: " + e);
        }
    }

    /**
     * The transfer an S3 call belongs to, or null: the open transfer of the call's bucket and key, if the
     * operation is one the multipart client sends (the latest one, if the job moves one key twice at once).
     */
    Subsegment transferOf(String operation, Object bucket, Object key) {
        if (open.isEmpty() || !TRANSFER_OPERATIONS.contains(operation)) {
            return null;
        }
        String k = key(bucket, key);
        List<Subsegment> list = k == null ? null : open.get(k);
        if (list == null) {
            return null;
        }
        Object[] transfers = list.toArray();
        return transfers.length == 0 ? null : (Subsegment) transfers[transfers.length - 1];
    }

    /** Whether any transfer is open: the one check every other S3 call pays. */
    boolean anyOpen() {
        return !open.isEmpty();
    }

    private static Object property(Object request, String name) {
        try {
            Method m = request.getClass().getMethod(name);
            return m.invoke(request);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** For tests: the transfers open now. */
    List<Subsegment> openTransfers() {
        List<Subsegment> all = new ArrayList<>();
        for (List<Subsegment> l : open.values()) {
            all.addAll(l);
        }
        return Collections.unmodifiableList(all);
    }
}
