package org.sciport.dataset.analytics;

import org.sciport.commons.security.AccessTokenFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/analytics/usage} with {@code start_date}, {@code end_date} and
 * {@code granularity} ({@code hour}, {@code day}, {@code week}, {@code month}).
 */
@RestController
class AnalyticsController {

	private final UsageAnalytics analytics;

	AnalyticsController(UsageAnalytics analytics) {
		this.analytics = analytics;
	}

	@GetMapping("/v1/analytics/usage")
	Mono<UsageAnalytics.Usage> usage(ServerWebExchange exchange) {
		var query = exchange.getRequest().getQueryParams();
		return Mono.defer(() -> this.analytics.usage(AccessTokenFilter.requireCaller(exchange), query.getFirst("start_date"),
				query.getFirst("end_date"), query.getFirst("granularity")));
	}

}
