import Router from '@koa/router';
import { koaBody } from 'koa-body';
import { bodyError } from './http/limits.js';
import type { CommandDispatcher } from './dispatch/dispatcher.js';
import type { RuntimeInfo } from './options.js';
import { jobHandlers } from './handlers/jobs.js';
import { resourceHandlers } from './handlers/resources.js';
import { healthHandler } from './handlers/health.js';
import { historyHandlers } from './handlers/history.js';
import { accountHandlers } from './handlers/accounts.js';
import { eventHandlers } from './handlers/events.js';
import type { EventHub } from './events/hub.js';

/** The whole API on one screen. Bodies are parsed only on the routes that take one. */
export function createRouter(dispatcher: CommandDispatcher, runtime: RuntimeInfo, hub: EventHub): Router {
  const jobs = jobHandlers(dispatcher, { workingDirectory: runtime.defaultWorkingDirectory, pageLimit: runtime.http.pageLimit });
  const resources = resourceHandlers(dispatcher, runtime.http);
  const history = historyHandlers(dispatcher, runtime);
  const accounts = accountHandlers(dispatcher, runtime.http);
  const live = eventHandlers(dispatcher, hub); // #15: Server-Sent Events
  const body = koaBody({ json: true, multipart: false, urlencoded: false, text: false, jsonLimit: runtime.bodyLimit, jsonStrict: true, onError: bodyError });

  const router = new Router({ prefix: '/v1' });
  router
    .get('/health', healthHandler(dispatcher, runtime))
    .get('/jobs', jobs.list)
    .post('/jobs', body, jobs.submit)
    .get('/jobs/:id', jobs.get)
    .get('/jobs/:id/stdout', live.followOr('stdout', jobs.output('stdout')))
    .get('/jobs/:id/stderr', live.followOr('stderr', jobs.output('stderr')))
    .get('/jobs/:id/steps', history.steps)
    .patch('/jobs/:id', body, jobs.update)
    .delete('/jobs/:id', jobs.cancel)
    .post('/jobs/:id/hold', jobs.control('hold'))
    .post('/jobs/:id/release', jobs.control('release'))
    .post('/jobs/:id/requeue', jobs.control('requeue'))
    .post('/jobs/:id/suspend', jobs.control('suspend'))
    .post('/jobs/:id/resume', jobs.control('resume'))
    .get('/nodes', resources.listNodes)
    .get('/nodes/:name', resources.getNode)
    .get('/partitions', resources.listPartitions)
    .get('/partitions/:name', resources.getPartition)
    .get('/reservations', resources.listReservations)
    .get('/reservations/:name', resources.getReservation)
    .get('/licenses', resources.listLicenses)
    .get('/cluster', resources.cluster)
    .get('/history', history.list)
    .get('/accounts', accounts.listAccounts)
    .get('/users/:name', accounts.getUser)
    .get('/qos', accounts.listQos)
    .get('/events', live.events);
  return router;
}
