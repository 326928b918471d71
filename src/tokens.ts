/** Injection tokens: symbols, in one file. */
export const TOKENS = {
  Logger: Symbol('Logger'),
  Runtime: Symbol('Runtime'),
  Strategy: Symbol('DispatchStrategy'),
  Dispatcher: Symbol('Dispatcher'),
  /** undefined under --auth=none. */
  Authenticator: Symbol('Authenticator'),
  /** The requests being answered, for a stop past its grace period (src/http/in-flight.ts). */
  InFlight: Symbol('InFlightRequests'),
} as const;
