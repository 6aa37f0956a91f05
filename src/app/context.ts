import type { Principal } from '#core/roles';

/** Who is asking, and the request id that audit events record as `requestId`. */
export interface RequestContext {
  readonly principal: Principal;
  readonly requestId: string;
}
