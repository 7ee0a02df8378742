package io.github.connectionlifecycle.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Reports how many order events the table holds. Each run is one unit of work for the
 * starter, and after an idle period it meets the same dead connections as the listener.
 */
@Component
class OrderReportJob {

	private static final Log logger = LogFactory.getLog(OrderReportJob.class);

	private final JdbcTemplate jdbcTemplate;

	OrderReportJob(JdbcTemplate jdbcTemplate) {
		this.jdbcTemplate = jdbcTemplate;
	}

	@Scheduled(initialDelayString = "${demo.report-interval}", fixedDelayString = "${demo.report-interval}")
	void report() {
		Integer rows = this.jdbcTemplate.queryForObject("SELECT COUNT(*) FROM order_events", Integer.class);
		logger.info("Report: order_events holds " + rows + " rows");
	}

}
