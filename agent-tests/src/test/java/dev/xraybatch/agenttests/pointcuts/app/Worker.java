package dev.xraybatch.agenttests.pointcuts.app;

public class Worker {
    public int work(int part) {
        return part * 2;
    }
}
