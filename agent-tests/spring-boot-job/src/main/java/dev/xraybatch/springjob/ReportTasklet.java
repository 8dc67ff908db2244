package dev.xraybatch.springjob;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/** Sums the scores and hands the report on (a downstream system that takes its time: a sleep). */
public class ReportTasklet implements Tasklet {
    private final JdbcTemplate jdbc;

    ReportTasklet(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext context) throws InterruptedException {
        Long total = jdbc.queryForObject("SELECT SUM(score) FROM orders", Long.class);
        publish(total == null ? 0 : total);
        return RepeatStatus.FINISHED;
    }

    void publish(long total) throws InterruptedException {
        Thread.sleep(800);
        System.out.println("OrdersJob report: total score " + total);
    }
}
