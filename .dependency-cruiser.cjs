/**
 * The layer rules of src/, checked by `npm test` (scripts/test.sh runs `npm run lint:layers`).
 * Slurm's shared rules live in src/slurm/; the two executors are independent adapters; HTTP code
 * and handlers never reach an executor except through the dispatcher; a dispatch strategy never
 * picks one (the composition root hands it a way to make one); no import cycles.
 */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'An import cycle ties modules that should be layered.', from: {}, to: { circular: true } },
    { name: 'executors-independent', severity: 'error', comment: 'The internal executor does not import the external one, nor the other way: shared rules go to src/slurm/.',
      from: { path: '^src/executors/internal/' }, to: { path: '^src/executors/external/' } },
    { name: 'executors-independent-back', severity: 'error', comment: 'See executors-independent.',
      from: { path: '^src/executors/external/' }, to: { path: '^src/executors/internal/' } },
    { name: 'handlers-not-executors', severity: 'error', comment: 'Handlers build commands and dispatch them; only the composition root and pool workers know executors.',
      from: { path: '^src/(handlers|http|routes\\.ts|app\\.ts)' }, to: { path: '^src/executors/' } },
    { name: 'strategies-not-executors', severity: 'error', comment: 'A dispatch strategy gets a way to make an executor from the composition root; only the pool worker entry builds one.',
      from: { path: '^src/dispatch/', pathNot: '^src/dispatch/worker\\.ts$' }, to: { path: '^src/executors/', pathNot: '^src/executors/executor\\.ts$' } },
    { name: 'executors-not-http', severity: 'error', comment: 'Executors run commands; they know nothing of HTTP or Koa.',
      from: { path: '^src/executors/' }, to: { path: '^src/(http|handlers)/|^src/(routes|app)\\.ts$' } },
    { name: 'slurm-is-a-leaf', severity: 'error', comment: 'src/slurm/ holds pure rules: it imports nothing of the gateway but errors, the model and commands.',
      from: { path: '^src/slurm/' }, to: { path: '^src/', pathNot: '^src/(slurm/|errors\\.ts$|model\\.ts$|commands\\.ts$)' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
