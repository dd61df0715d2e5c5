/* timing.h - the clock and the median the benchmark drivers report. */
#ifndef BH_BENCH_TIMING_H
#define BH_BENCH_TIMING_H

/* Seconds on the monotonic clock. */
double bench_secs(void);

/* The median of v[0..n) (n > 0); sorts v. */
double bench_median(double *v, long n);

#endif
