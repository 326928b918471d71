/**
 * Entry file of pool workers, in a worker thread (piscina) or a child process (tinypool): the only
 * module of src/dispatch/ that builds an executor, from the plain configuration each task carries.
 */
import { EXECUTORS } from '../executors/index.js';
import { serveCommands } from './serve.js';

export default serveCommands((config) => EXECUTORS[config.kind].create(config.options));
