/*
 * The registry written into a trace line: the one place that decides how a
 * counter and a histogram look in JSON, so every summary and snapshot agree
 * (and `mmsim diff` has one shape to read).
 */
#include "sim/stats.h"
#include "sim/trace.h"

void stats_trace(const struct stats_registry *r, struct trace *t, const char *key)
{
	trace_obj_begin(t, key);
	for (size_t i = 0; i < stats_count(r); i++) {
		const struct stats_hist *h = stats_hist(r, i);
		if (!h) {
			trace_u64(t, stats_name(r, i), stats_value(r, i));
			continue;
		}
		trace_obj_begin(t, stats_name(r, i));
		trace_u64(t, "count", h->count);
		trace_u64(t, "sum", h->sum);
		trace_u64(t, "min", h->count ? h->min : 0);
		trace_u64(t, "p50", stats_hist_percentile(h, 50));
		trace_u64(t, "p90", stats_hist_percentile(h, 90));
		trace_u64(t, "p99", stats_hist_percentile(h, 99));
		trace_u64(t, "max", h->max);
		trace_obj_end(t);
	}
	trace_obj_end(t);
}
