package dev.xraybatch.springjob;

import org.springframework.batch.core.Job;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.item.database.JdbcBatchItemWriter;
import org.springframework.batch.item.database.JdbcCursorItemReader;
import org.springframework.batch.item.database.builder.JdbcBatchItemWriterBuilder;
import org.springframework.batch.item.database.builder.JdbcCursorItemReaderBuilder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;

/**
 * A Spring Boot batch job as a new user writes one: Boot's starter runs its one job at start-up, Flyway has created
 * and filled the orders table; step {@code scoreOrders} reads the orders, scores each in {@link OrderScorer} and
 * writes the score back, in chunks; step {@code publishReport} sums the scores in {@link ReportTasklet}.
 */
@SpringBootApplication
public class OrdersJob {

    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(OrdersJob.class, args)));
    }

    @Bean
    Job scoreAndReport(JobRepository jobs, Step scoreOrders, Step publishReport) {
        return new JobBuilder("scoreAndReport", jobs).start(scoreOrders).next(publishReport).build();
    }

    @Bean
    Step scoreOrders(JobRepository jobs, PlatformTransactionManager tx, DataSource db) {
        JdbcCursorItemReader<Order> reader = new JdbcCursorItemReaderBuilder<Order>().name("orders").dataSource(db)
                .sql("SELECT id, amount FROM orders ORDER BY id")
                .rowMapper((rs, i) -> new Order(rs.getLong("id"), rs.getBigDecimal("amount"))).build();
        JdbcBatchItemWriter<Order> writer = new JdbcBatchItemWriterBuilder<Order>().dataSource(db)
                .sql("UPDATE orders SET score = ? WHERE id = ?")
                .itemPreparedStatementSetter((order, ps) -> {
                    ps.setLong(1, order.score());
                    ps.setLong(2, order.id());
                }).build();
        return new StepBuilder("scoreOrders", jobs).<Order, Order>chunk(200, tx)
                .reader(reader).processor(new OrderScorer()).writer(writer).build();
    }

    @Bean
    Step publishReport(JobRepository jobs, PlatformTransactionManager tx, JdbcTemplate jdbc) {
        return new StepBuilder("publishReport", jobs).tasklet(new ReportTasklet(jdbc), tx).build();
    }
}
