/*
 * Thread-safety probe for libslurm (docs/internal-executor.md): N threads call the read RPCs the
 * binding uses (and optionally submit + kill held jobs) at the same time, after one slurm_init.
 * Run it plain (crash/consistency check) or under valgrind --tool=helgrind / drd (data races).
 *   cc -O1 -g -pthread -o race race.c -lslurm && SLURM_CONF=... ./race 8 50 [submit]
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

/* Exported by libslurm.so, declared only in Slurm's internal headers. */
extern void slurm_free_stats_response_msg(stats_info_response_msg_t *msg);

static int rounds = 50, do_submit = 0;
static volatile int failures = 0;

static void *worker(void *arg) {
  long id = (long) arg;
  for (int i = 0; i < rounds; i++) {
    job_info_msg_t *jobs = NULL;
    node_info_msg_t *nodes = NULL;
    partition_info_msg_t *parts = NULL;
    stats_info_response_msg_t *stats = NULL;
    stats_info_request_msg_t req = { .command_id = STAT_COMMAND_GET };
    slurm_conf_t *conf = NULL;
    if (slurm_load_jobs(0, &jobs, SHOW_ALL)) { failures++; fprintf(stderr, "[%ld] load_jobs: %s\n", id, slurm_strerror(slurm_get_errno())); }
    else slurm_free_job_info_msg(jobs);
    if (slurm_load_node(0, &nodes, 0)) failures++; else slurm_free_node_info_msg(nodes);
    if (slurm_load_partitions(0, &parts, 0)) failures++; else slurm_free_partition_info_msg(parts);
    if (slurm_get_statistics(&stats, &req)) failures++; else slurm_free_stats_response_msg(stats);
    if (slurm_load_ctl_conf(0, &conf)) failures++; else slurm_free_ctl_conf(conf);
    if (slurm_ping(0)) failures++;
    if (do_submit && i % 5 == 0) {
      job_desc_msg_t d;
      submit_response_msg_t *resp = NULL;
      char *env[] = { "PATH=/bin:/usr/bin", NULL };
      slurm_init_job_desc_msg(&d);
      d.script = "#!/bin/sh\ntrue\n"; d.name = "race"; d.priority = 0; d.work_dir = "/tmp";
      d.std_out = "/dev/null"; d.user_id = getuid(); d.group_id = getgid(); d.min_cpus = 1;
      d.environment = env; d.env_size = 1;
      if (slurm_submit_batch_job(&d, &resp)) { failures++; fprintf(stderr, "[%ld] submit: %s\n", id, slurm_strerror(slurm_get_errno())); continue; }
      char jid[32]; snprintf(jid, sizeof jid, "%u", resp->job_id);
      slurm_free_submit_response_response_msg(resp);
      if (slurm_kill_job2(jid, SIGKILL, 0, NULL)) { failures++; fprintf(stderr, "[%ld] kill %s: %s\n", id, jid, slurm_strerror(slurm_get_errno())); }
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 8;
  rounds = argc > 2 ? atoi(argv[2]) : 50;
  do_submit = argc > 3 && !strcmp(argv[3], "submit");
  slurm_init(NULL);
  pthread_t t[256];
  for (long i = 0; i < threads && i < 256; i++) pthread_create(&t[i], NULL, worker, (void *) i);
  for (int i = 0; i < threads && i < 256; i++) pthread_join(t[i], NULL);
  printf("%d threads x %d rounds: %d failures\n", threads, rounds, failures);
  slurm_fini();
  return failures != 0;
}
