package dev.xraybatch.agent.export;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** An in-memory exporter whose answers a test scripts; records every call. */
final class FakeExporter implements DocumentExporter {
    private final Object lock = new Object();
    private final List<List<String>> calls = new ArrayList<>();
    private final List<List<String>> acceptedCalls = new ArrayList<>();
    private Function<List<String>, SendOutcome> answer = documents -> SendOutcome.accepted();
    private CountDownLatch gate;
    private final CountDownLatch firstCall = new CountDownLatch(1);
    private volatile boolean closed;

    /** Answers every later call with this function of the batch. */
    void answer(Function<List<String>, SendOutcome> answer) {
        synchronized (lock) {
            this.answer = answer;
        }
    }

    /** Makes every later call wait inside send until {@link #release()}. */
    void hold() {
        synchronized (lock) {
            gate = new CountDownLatch(1);
        }
    }

    void release() {
        CountDownLatch open;
        synchronized (lock) {
            open = gate;
            gate = null;
        }
        if (open != null) {
            open.countDown();
        }
    }

    @Override
    public SendOutcome send(List<String> documents) {
        List<String> copy = List.copyOf(documents);
        CountDownLatch wait;
        Function<List<String>, SendOutcome> reply;
        synchronized (lock) {
            calls.add(copy);
            lock.notifyAll();
            wait = gate;
            reply = answer;
        }
        firstCall.countDown();
        if (wait != null) {
            try {
                wait.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        SendOutcome outcome = reply.apply(copy);
        if (outcome.kind() == SendOutcome.Kind.ACCEPTED) {
            synchronized (lock) {
                acceptedCalls.add(copy);
            }
        }
        return outcome;
    }

    /** Waits until send was entered at least once. */
    void awaitFirstCall() throws InterruptedException {
        if (!firstCall.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the exporter was never called");
        }
    }

    /** Waits until send was entered at least {@code count} times. */
    void awaitCalls(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (calls.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " calls, got " + calls.size());
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    List<List<String>> calls() {
        synchronized (lock) {
            return List.copyOf(calls);
        }
    }

    /** The documents of calls answered ACCEPTED, in order (unprocessed ones included). */
    List<String> acceptedDocuments() {
        synchronized (lock) {
            List<String> all = new ArrayList<>();
            acceptedCalls.forEach(all::addAll);
            return all;
        }
    }

    @Override
    public String describe() {
        return "the fake exporter";
    }

    @Override
    public void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }
}
