package dev.xraybatch.agent.export.burst;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.SendOutcome;
import dev.xraybatch.agent.json.JsonReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Takes every call and keeps its documents, parsed; a test may script refusals. */
final class RecordingExporter implements DocumentExporter {
    /** One call: its documents, parsed, in order. */
    record Call(List<Map<String, Object>> documents) {
        String traceId() {
            return (String) documents.get(0).get("trace_id");
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private volatile Function<List<String>, SendOutcome> answer = documents -> SendOutcome.accepted();

    void answer(Function<List<String>, SendOutcome> answer) {
        this.answer = answer;
    }

    @Override
    @SuppressWarnings("unchecked")
    public SendOutcome send(List<String> documents) {
        List<Map<String, Object>> parsed = new ArrayList<>();
        for (String document : documents) {
            parsed.add((Map<String, Object>) JsonReader.parse(document));
        }
        SendOutcome outcome = answer.apply(List.copyOf(documents));
        synchronized (calls) {
            calls.add(new Call(parsed));
        }
        return outcome;
    }

    synchronized List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    @Override
    public String describe() {
        return "a recording exporter";
    }

    @Override
    public void close() {
    }
}
