/* Shows why libslurm needs RTLD_GLOBAL (docs/internal-executor.md): cc -o rtld rtld.c -ldl; ./rtld local | ./rtld global */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int mode = RTLD_NOW | (argc > 1 && argv[1][0] == 'g' ? RTLD_GLOBAL : RTLD_LOCAL);
  void *h = dlopen("libslurm.so.38", mode);
  if (!h) { printf("dlopen: %s\n", dlerror()); return 1; }
  void (*init)(const char *) = dlsym(h, "slurm_init");
  int (*load)(long, void **, unsigned short) = dlsym(h, "slurm_load_jobs");
  init(NULL);
  void *msg = NULL;
  int rc = load(0, &msg, 0);
  printf("%s: slurm_load_jobs rc=%d\n", mode & RTLD_GLOBAL ? "RTLD_GLOBAL" : "RTLD_LOCAL", rc);
  return 0;
}
