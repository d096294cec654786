/*
 * clock.h — ccapply-sim's clocks: the monotonic time the create limit counts
 * in, and the interruptible sleep latency and delay:S faults wait in.
 *
 * Why a file of its own: main.c owns the shutdown, http.c sleeps and routes.c
 * reads the time, and with these in main.c the three called each other in a
 * circle. Here they depend on nothing in sim/ (lib/ neither), and main.c,
 * http.c and routes.c include this header, so calls run one way
 * (main → http → routes → clock; sim.h has the whole order).
 *
 * A struct sim_stop is the one thing sleepers and the shutdown share: the
 * flag saying the simulator is stopping, under its mutex, and the condition
 * (on CLOCK_MONOTONIC) a sleeper waits on, so SIGTERM cuts every sleep short.
 * Its owner (struct sim, main.c) initialises it before any thread starts and
 * frees it after they have all been joined.
 */
#ifndef CCAPPLY_SIM_CLOCK_H
#define CCAPPLY_SIM_CLOCK_H

#include <pthread.h>
#include <stdbool.h>

struct sim_stop {
	pthread_mutex_t lock; /* guards stopping; cond wakes sleepers */
	pthread_cond_t cond;
	bool stopping;
};

void sim_stop_init(struct sim_stop *s);
void sim_stop_free(struct sim_stop *s);
/* Mark the simulator stopping and wake every sleeper. */
void sim_stop_signal(struct sim_stop *s);

/* Sleep ms milliseconds, or less once sim_stop_signal() has been called. */
void sim_sleep_ms(struct sim_stop *s, unsigned long ms);
/* Seconds on the monotonic clock. */
double sim_now(void);

#endif
